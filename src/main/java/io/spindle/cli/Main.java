package io.spindle.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code spindle}: train, score and sample transformer language models.
 *
 * <p>Errors in what the user gave (a missing file, a bad option, a config that cannot work) print one line,
 * {@code spindle: <problem>}, and exit with status 1 (2 for usage errors); {@code --verbose} adds the stack trace.
 * The line is one line whatever the exception says (line breaks in a message become spaces); a file-system error
 * that carries only a path says what happened to it; running out of memory is reported the same way, with the
 * JVM's limit and how to raise it.
 *
 * <p>The options every command takes are added here, once, to each command: {@code --verbose} ({@link VerboseOption}),
 * then {@code --help} and {@code --version}, so that they end every command's option list.
 *
 * <p>Numeric options are parsed strictly: a floating-point option refuses {@code NaN} and infinities (no option has
 * a use for them); each command checks the ranges of its own options ({@link OptionChecks}).
 */
@Command(name = "spindle", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Transformer training on Spark, in Java.",
    subcommands = {TrainLmCommand.class, RlCommand.class, ScoreCommand.class, GenerateCommand.class,
        PlotCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  /** A line of a printed stack trace: a frame, "... 3 more", or Spark's "Driver stacktrace:". */
  private static final Pattern STACK_LINE =
      Pattern.compile("\\s*(at \\S+\\(.*\\)|\\.\\.\\. \\d+ more|Driver stacktrace:)\\s*");

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests and embedding). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
        sub.addMixin("verbose", new VerboseOption()); // read by the exception handler below
        sub.getCommandSpec().mixinStandardHelpOptions(true); // after it: --help and --version end the list
      }
    }
    cli.registerConverter(Double.class, Main::finiteDouble);
    cli.registerConverter(Double.TYPE, Main::finiteDouble);
    cli.setParameterExceptionHandler((e, ignoredArgs) -> {
      CommandLine command = e.getCommandLine();
      command.getErr().println("spindle: " + oneLine(e.getMessage()) + " (see: spindle "
          + command.getCommandSpec().qualifiedName(" ").replaceFirst("^spindle ?", "") + " --help)");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      commandLine.getErr().println("spindle: " + describe(e));
      if (verbose) {
        e.printStackTrace(commandLine.getErr());
      }
      return 1;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) { // an Error is not handed to the execution exception handler
      cli.getErr().println("spindle: " + outOfMemory(e));
      return 1;
    }
  }

  /** The one-line description of a failure, for {@code spindle: <description>}. */
  static String describe(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof OutOfMemoryError oom) {
        return outOfMemory(oom); // wherever it happened (a worker thread's error arrives wrapped)
      }
    }
    if (e instanceof FileSystemException f && f.getReason() == null) {
      return oneLine(f.getMessage()) + ": " + fileProblem(f);
    }
    return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }

  private static String fileProblem(FileSystemException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or folder";
    } else if (e instanceof AccessDeniedException) {
      return "permission denied";
    } else if (e instanceof FileAlreadyExistsException) {
      return "already exists";
    } else if (e instanceof NotDirectoryException) {
      return "not a folder";
    } else if (e instanceof DirectoryNotEmptyException) {
      return "folder not empty";
    }
    return e.getClass().getSimpleName();
  }

  private static String outOfMemory(OutOfMemoryError e) {
    return "out of memory (" + oneLine(String.valueOf(e.getMessage())) + "): the sizes given need more than this "
        + "JVM may use (heap limit " + Sizes.bytes(Runtime.getRuntime().maxMemory()) + "); lower them, or raise the "
        + "limit with SPINDLE_JAVA_OPTS=-Xmx...";
  }

  /**
   * {@code message} on one line: line breaks, with the indentation after them, become one space, and the stack
   * frames some messages carry (Spark's job failures quote the task's stack trace) are left out.
   */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    return message.lines().filter(line -> !STACK_LINE.matcher(line).matches()).map(String::strip)
        .filter(line -> !line.isEmpty()).collect(Collectors.joining(" "));
  }

  private static Double finiteDouble(String value) {
    double d;
    try {
      d = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a number");
    }
    if (!Double.isFinite(d)) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not a finite number");
    }
    return d;
  }

  /** The version from the jar's manifest (or "dev" when run from classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"spindle " + (v == null ? "dev" : v)};
    }
  }
}
