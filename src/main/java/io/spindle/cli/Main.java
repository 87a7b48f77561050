package io.spindle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code spindle}: train, score and sample transformer language models.
 *
 * <p>Errors in what the user gave (a missing file, a bad option, a config that cannot work) print one line,
 * {@code spindle: <problem>}, and exit with status 1 (2 for usage errors); {@code --verbose} adds the stack trace.
 */
@Command(name = "spindle", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Transformer training on Spark, in Java.",
    subcommands = {TrainLmCommand.class, RlCommand.class, ScoreCommand.class, GenerateCommand.class,
        PlotCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests and embedding). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler((e, ignoredArgs) -> {
      CommandLine command = e.getCommandLine();
      command.getErr().println("spindle: " + e.getMessage() + " (see: spindle "
          + command.getCommandSpec().qualifiedName(" ").replaceFirst("^spindle ?", "") + " --help)");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      Throwable cause = e;
      String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      commandLine.getErr().println("spindle: " + message);
      if (verbose) {
        e.printStackTrace(commandLine.getErr());
      }
      return 1;
    });
    return cli.execute(args);
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
