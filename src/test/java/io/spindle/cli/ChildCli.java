package io.spindle.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code spindle} in a child JVM, as a user's shell would: its own working directory, environment, heap limit
 * and time limit, with the test JVM's class path and module flags. For what an in-process run cannot show: a
 * relative path like {@code .}, an out-of-memory error, a hang.
 */
final class ChildCli {
  private ChildCli() {}

  /** What a child run printed and returned; {@code timedOut} if it had to be killed. */
  record Run(int status, String out, String err, boolean timedOut, Duration wall) {}

  /**
   * Runs {@code spindle args} in {@code workDir} with {@code -Xmx heap}, the extra environment {@code env}, killed
   * after {@code limit}.
   */
  static Run run(Path workDir, String heap, Map<String, String> env, Duration limit, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dspindle.") || arg.startsWith("-Dio.netty")
          || arg.startsWith("-Djdk.reflect")) {
        command.add(arg);
      }
    }
    command.add("-Xmx" + heap);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("spindle-child", ".out");
    Path err = Files.createTempFile("spindle-child", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(env);
      long start = System.nanoTime();
      Process p = pb.start();
      boolean done = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly().waitFor();
      }
      Duration wall = Duration.ofNanos(System.nanoTime() - start);
      return new Run(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), !done, wall);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
