package io.spindle.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@code spindle} in a child process, as a user's shell would: through {@code bin/spindle} itself (its JVM
 * flags, its logging configuration, its stderr filter), with its own working directory, environment, heap limit
 * ({@code SPINDLE_JAVA_OPTS=-Xmx...}) and time limit. For what an in-process run cannot show: a relative path like
 * {@code .}, an out-of-memory error, a hang, a signal, the exact stderr a user sees.
 *
 * <p>The launcher runs from a scratch copy of the project's layout ({@code bin/spindle}, and {@code target/} with a
 * link to this build's classes, the test class path and the test JVM's module flags), so it never builds anything
 * and never writes into the project's {@code target/}.
 */
final class ChildCli {
  private static Path launcher;

  private ChildCli() {}

  /** What a child run printed and returned; {@code timedOut} if it had to be killed. */
  record Run(int status, String out, String err, boolean timedOut, Duration wall) {
    /** The lines of stderr. */
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  /** A started child whose output is being collected; {@link #finish} waits for it. */
  static final class Started {
    private final Process process;
    private final Collector out;
    private final Collector err;
    private final long start;

    private Started(Process process, long start) {
      this.process = process;
      this.start = start;
      this.out = new Collector(process.getInputStream());
      this.err = new Collector(process.getErrorStream());
    }

    Process process() {
      return process;
    }

    /** What stdout and stderr hold so far. */
    String outSoFar() {
      return out.text();
    }

    String errSoFar() {
      return err.text();
    }

    /** Waits up to {@code limit} for the child to exit (killing it after that) and for its output to end. */
    Run finish(Duration limit) throws InterruptedException {
      boolean done = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        process.destroyForcibly().waitFor();
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - start);
      out.join();
      err.join(); // the launcher's stderr filter ends once the JVM has closed stderr
      return new Run(done ? process.exitValue() : -1, out.text(), err.text(), !done, wall);
    }
  }

  /** Reads a stream to its end on a thread of its own. */
  private static final class Collector extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Collector(InputStream in) {
      this.in = in;
      setDaemon(true);
      start();
    }

    @Override
    public void run() {
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          synchronized (bytes) {
            bytes.write(buffer, 0, n);
          }
        }
      } catch (IOException e) {
        // the process is gone; what was read is what there is
      }
    }

    String text() {
      synchronized (bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
      }
    }
  }

  /**
   * Runs {@code spindle args} in {@code workDir} with {@code -Xmx heap}, the extra environment {@code env}, killed
   * after {@code limit}.
   */
  static Run run(Path workDir, String heap, Map<String, String> env, Duration limit, String... args)
      throws IOException, InterruptedException {
    return start(workDir, heap, env, args).finish(limit);
  }

  /** Starts {@code spindle args} as {@link #run} does, without waiting. */
  static Started start(Path workDir, String heap, Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(launcher().toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().putAll(env);
    pb.environment().put("SPINDLE_JAVA_OPTS", "-Xmx" + heap);
    return new Started(pb.start(), System.nanoTime());
  }

  /** {@code bin/spindle} in a scratch copy of the project layout that runs this build's classes. */
  private static synchronized Path launcher() throws IOException {
    if (launcher != null) {
      return launcher;
    }
    Path classes;
    try {
      classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Path project = classes.getParent().getParent();
    Path root = Files.createTempDirectory("spindle-launcher");
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("src/main"));
    Files.createDirectories(root.resolve("target"));
    Files.copy(project.resolve("bin/spindle"), root.resolve("bin/spindle"));
    Files.createSymbolicLink(root.resolve("target/classes"), classes);
    List<String> flags = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dspindle.") || arg.startsWith("-Dio.netty")
          || arg.startsWith("-Djdk.reflect")) {
        flags.add(arg);
      }
    }
    Files.writeString(root.resolve("target/spindle-jvm-flags.txt"), String.join("\n", flags));
    Files.writeString(root.resolve("target/spindle-classpath.txt"), System.getProperty("java.class.path"));
    Files.writeString(root.resolve("pom.xml"), "");
    // Older than the class path file, so that the launcher sees nothing to build.
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
    Files.setLastModifiedTime(root.resolve("pom.xml"), old);
    Files.setLastModifiedTime(root.resolve("src/main"), old);
    Files.setLastModifiedTime(root.resolve("src"), old);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
    launcher = root.resolve("bin/spindle");
    return launcher;
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder; the system cleans it up eventually
    }
  }
}
