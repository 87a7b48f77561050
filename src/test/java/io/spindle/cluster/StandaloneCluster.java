package io.spindle.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.spark.launcher.SparkLauncher;

/**
 * A Spark standalone cluster on this machine's loopback, started and stopped by {@code cluster-configs/standalone}'s
 * scripts (a Master and N Workers, each its own JVM; executors are children of their Worker), and the applications
 * submitted to it with Spark's {@link SparkLauncher} through the spark home those scripts make.
 *
 * <p>Every JVM started here is stopped by pid: the cluster by {@code stop-cluster.sh} in {@link #close()}, the drivers
 * by {@link Process#destroyForcibly()}; a JVM shutdown hook does both should the test JVM end first.
 */
final class StandaloneCluster implements AutoCloseable {
  /** For start-cluster.sh: 3 JVMs starting on a 2-core machine that others may load heavily. */
  static final Duration START_TIMEOUT = Duration.ofMinutes(8);

  private final Path root;
  private final Path dir;
  private final Map<String, String> env = new HashMap<>();
  private final List<Process> drivers = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::stopQuietly, "stop the standalone cluster");
  private final String masterUrl;

  /** Starts a Master and {@code workers} Workers; pids, logs and work directories go under {@code dir}. */
  StandaloneCluster(Path root, Path dir, int workers) throws IOException, InterruptedException {
    this.root = root;
    this.dir = dir;
    int port = freePort();
    env.put("SPINDLE_CLUSTER_DIR", dir.toString());
    env.put("SPINDLE_SPARK_HOME", root.resolve("target/spark-home").toString());
    env.put("SPARK_HOME", root.resolve("target/spark-home").toString());
    env.put("SPARK_CONF_DIR", root.resolve("cluster-configs/standalone").toString());
    env.put("SPARK_MASTER_PORT", String.valueOf(port));
    env.put("SPARK_MASTER_WEBUI_PORT", String.valueOf(freePort()));
    env.put("SPINDLE_CLUSTER_TIMEOUT", String.valueOf(START_TIMEOUT.toSeconds() / 2));
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    Path log = dir.resolve("start-cluster.out");
    Files.createDirectories(dir);
    int status;
    try {
      status = script("start-cluster.sh", log, String.valueOf(workers));
    } catch (IllegalStateException e) {
      status = -1; // timed out: the script was killed before it could stop what it had started
    }
    if (status != 0) {
      // now, while the pid files exist: the test's temporary folder is gone by the time a shutdown hook runs
      stopQuietly();
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
      throw new IllegalStateException("start-cluster.sh " + (status < 0 ? "did not finish within " + START_TIMEOUT
          : "exited with " + status) + ":\n" + Files.readString(log));
    }
    this.masterUrl = "spark://127.0.0.1:" + port;
  }

  String masterUrl() {
    return masterUrl;
  }

  Path sparkHome() {
    return Path.of(env.get("SPARK_HOME"));
  }

  /** Worker {@code w}'s pid (1-based). */
  long workerPid(int w) throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("worker-" + w + ".pid")).strip());
  }

  /** Worker {@code w}'s application folders: {@code APP-ID/EXECUTOR-ID/stderr} for each executor it started. */
  Path workDir(int w) {
    return dir.resolve("work/worker-" + w);
  }

  /** The stderr files of every executor the Workers started for application {@code appId}. */
  List<Path> executorLogs(String appId, int workers) throws IOException {
    List<Path> logs = new ArrayList<>();
    for (int w = 1; w <= workers; w++) {
      Path app = workDir(w).resolve(appId);
      if (Files.isDirectory(app)) {
        try (Stream<Path> executors = Files.list(app)) {
          executors.map(e -> e.resolve("stderr")).filter(Files::isRegularFile).sorted().forEach(logs::add);
        }
      }
    }
    return logs;
  }

  /** The executor JVMs Worker {@code w} runs now (its children running CoarseGrainedExecutorBackend). */
  List<ProcessHandle> executors(int w) throws IOException {
    return ProcessHandle.of(workerPid(w)).orElseThrow().children()
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("")
            .contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"))
        .toList();
  }

  /**
   * Starts {@code spark-submit} for the application jar {@code jar} with {@code args}, at {@code master} (this
   * cluster's URL, or {@code local[2]}), with {@code conf} ({@code spark.submit.deployMode} as {@code --deploy-mode});
   * its stdout and stderr go to {@code log}.out/.err. In cluster deploy mode the process is spark-submit's client,
   * which waits for the driver only with {@code spark.standalone.submit.waitAppCompletion}.
   */
  Process submit(String master, Path jar, Map<String, String> conf, Path log, List<String> args) throws IOException {
    SparkLauncher launcher = new SparkLauncher(env).setSparkHome(env.get("SPARK_HOME")).setMaster(master)
        .setAppResource(jar.toString()).addAppArgs(args.toArray(new String[0]))
        .redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
        .redirectError(log.resolveSibling(log.getFileName() + ".err").toFile());
    conf.forEach((key, value) -> {
      if (key.equals("spark.submit.deployMode")) {
        launcher.setDeployMode(value); // --deploy-mode: what spark-submit and its launcher both read
      } else {
        launcher.setConf(key, value);
      }
    });
    Process driver = launcher.launch(); // bin/spark-submit execs the driver JVM: this process is that JVM
    synchronized (drivers) {
      drivers.add(driver);
    }
    return driver;
  }

  /** Sends {@code signal} (STOP, CONT) to {@code pid}. */
  static void signal(long pid, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
  }

  /** Waits up to {@code timeout} for {@code condition}, checking every 200 ms; returns whether it came true. */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(200);
    }
    return condition.getAsBoolean();
  }

  private int script(String name, Path log, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("cluster-configs/standalone/" + name)
        .toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Files.isDirectory(log.getParent()) ? ProcessBuilder.Redirect.to(log.toFile())
            : ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(name + " did not finish within " + START_TIMEOUT);
    }
    return process.exitValue();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void stopQuietly() {
    synchronized (drivers) {
      for (Process driver : drivers) {
        driver.destroyForcibly();
      }
    }
    try {
      script("stop-cluster.sh", dir.resolve("stop-cluster.out"));
    } catch (IOException | RuntimeException e) {
      System.err.println("stopping the standalone cluster failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the drivers still running (a test that failed half-way leaves its driver behind), by pid. */
  void stopDrivers() throws InterruptedException {
    synchronized (drivers) {
      for (Process driver : drivers) {
        driver.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      drivers.clear();
    }
  }

  /** Stops the drivers still running, then the cluster; fails if stop-cluster.sh does. */
  @Override
  public void close() throws IOException, InterruptedException {
    stopDrivers();
    Path log = dir.resolve("stop-cluster.out");
    int status = script("stop-cluster.sh", log);
    Runtime.getRuntime().removeShutdownHook(shutdownHook);
    if (status != 0) {
      throw new IllegalStateException("stop-cluster.sh exited with " + status + ":\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
