package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spindle on a real Spark standalone cluster: a Master and 2 Workers of 1 core each, separate JVMs on 127.0.0.1,
 * started by {@code cluster-configs/standalone/start-cluster.sh} from the Maven class path (Spark's jars only, no
 * javacpp or openblas), and {@code spindle train-lm} submitted as the shaded jar through Spark's launcher, so that
 * executors get Spindle and OpenBLAS from the application jar alone. Every run trains the same small GPT (same seed,
 * global batch and 2 partitions) and must end on the weights of a {@code local[2]} run, to the bit: undisturbed, after
 * losing an executor, after losing the driver and resuming, and with the driver in a Worker ({@code --deploy-mode
 * cluster}). {@link #estimatorsFromADriverProgramFitTheWeightsOfLocal2()} ({@link ClusterEstimators}) fits the
 * classifier and the translator from this JVM as the driver, on the cluster and in {@code local[2]}, to the same bits.
 *
 * <p>Needs {@code mvn package}'s shaded jar, hence a failsafe test ({@code ./mvnw verify}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
  static final int WORKERS = 2;
  static final int STEPS = 30;
  /** For one run, start to end, on a 2-core machine that others share: most of it is JVMs starting. */
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

  @TempDir
  static Path dir;
  static Path jar;
  static Path text;
  static StandaloneCluster cluster;
  static CompletableFuture<Run> local;

  /** A finished {@code train-lm} run: its application id, model folder, and the driver's stderr. */
  record Run(String appId, Path model, String err) {}

  @BeforeAll
  static void startCluster() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    jar = Path.of(System.getProperty("spindle.sparkJar", "target/spindle-0.1.0-SNAPSHOT-spark.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run ./mvnw verify (or package first)");
    text = dir.resolve("text.txt");
    Files.writeString(text, syntheticText(60_000));
    cluster = new StandaloneCluster(root, dir.resolve("cluster"), WORKERS);
    local = CompletableFuture.supplyAsync(() -> {
      try {
        return finish("local", submit("local", "local[2]", List.of()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @AfterEach
  void stopDrivers() throws Exception {
    local.exceptionally(e -> null).get(); // the local run is a driver too: let it end first
    cluster.stopDrivers();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Every gradient stored as a block ({@code io.spindle.spark.GradientBlock}), however small. */
  private static final Map<String, String> STORED_GRADIENTS = Map.of("spark.spindle.gradientBlocks.minBytes", "0");

  @Test
  @Order(1)
  void trainsOnTheClusterToTheWeightsOfLocal2WithNativeBlasFromTheApplicationJar() throws Exception {
    try (Stream<Path> jars = Files.list(cluster.sparkHome().resolve("jars"))) {
      assertTrue(jars.map(p -> p.getFileName().toString()).noneMatch(n -> n.contains("javacpp")
          || n.contains("openblas")), "the cluster's class path has javacpp or openblas");
    }
    // Every gradient as a block of its executor's (the tiny model's are under the 1 MiB default), fetched by the
    // driver across JVMs: the same weights as local[2], whose gradients travel inline.
    Run run = finish("cluster", submit("cluster", cluster.masterUrl(), List.of(), STORED_GRADIENTS));
    assertSameWeights(local.get().model(), run.model(), "undisturbed cluster run");
    assertTrue(run.err().contains("Spindle BLAS backend: native"), "the driver logs its BLAS line:\n" + run.err());

    List<Path> logs = cluster.executorLogs(run.appId(), WORKERS);
    assertEquals(2, logs.size(), "one executor per Worker: " + logs);
    for (Path log : logs) {
      String stderr = Files.readString(log);
      String command = stderr.lines().findFirst().orElse("");
      Matcher classPath = Pattern.compile("^Spark Executor Command: \"[^\"]*\" \"-cp\" \"([^\"]*)\"").matcher(command);
      assertTrue(classPath.find(), log + " starts with no executor command: " + command);
      assertFalse(classPath.group(1).matches(".*(bytedeco|javacpp|openblas).*"), "executor class path: " + command);
      assertTrue(stderr.contains("Spindle BLAS backend: native - OpenBLAS"), log + " names no native backend");
      assertTrue(stderr.contains("Vector API kernels on"), log + ": Spark's launcher adds jdk.incubator.vector");
      long perStep = stderr.lines().filter(l -> l.matches(".* INFO (TorrentBroadcast|MemoryStore): .*")
          || l.matches(".* INFO Executor: (Running|Finished) task .*"))
          .count();
      assertEquals(0, perStep, log + " logs Spark's per-task INFO lines");
    }
    try (Stream<Path> cached = Files.walk(dir.resolve("javacpp-executors"))) {
      assertTrue(cached.anyMatch(p -> p.toString().contains(jar.getFileName().toString())
          && p.getFileName().toString().startsWith("libjniopenblas")),
          "executors extracted OpenBLAS from the application jar");
    }
  }

  @Test
  @Order(2)
  void killingAnExecutorEndsOnTheSameWeightsAndTheReplacementGetsTasks() throws Exception {
    // The driver waits (SIGSTOP) while the Worker starts the replacement JVM, so that on any machine the replacement
    // registers with steps still to go; a long network timeout keeps the driver from declaring the surviving
    // executor dead for the heartbeats it could not receive meanwhile.
    // Stored gradients here too: a block lost with the killed executor must cost a rerun, not the weights.
    Map<String, String> conf = new HashMap<>(STORED_GRADIENTS);
    conf.put("spark.network.timeout", "900s");
    Process driver = submit("executor-killed", cluster.masterUrl(), List.of(), conf);
    awaitCheckpoint("executor-killed", 5, driver);
    String appId = appId("executor-killed");
    List<ProcessHandle> executors = cluster.executors(1);
    assertEquals(1, executors.size(), "Worker 1's executors: " + executors);
    StandaloneCluster.signal(driver.pid(), "STOP");
    try {
      executors.get(0).destroyForcibly();
      assertTrue(executors.get(0).onExit().get(1, TimeUnit.MINUTES) != null);
      assertTrue(StandaloneCluster.await(RUN_TIMEOUT, () -> connecting(appId, 3)),
          "no replacement executor started");
    } finally {
      StandaloneCluster.signal(driver.pid(), "CONT");
    }
    Run run = finish("executor-killed", driver);
    assertSameWeights(local.get().model(), run.model(), "run that lost an executor");

    EventLog events = EventLog.read(dir.resolve("events/executor-killed"), appId);
    assertEquals(3, events.executorsAdded().size(), "2 executors and the replacement: " + events.executorsAdded());
    String replacement = new ArrayList<>(events.executorsAdded().keySet()).get(2);
    List<EventLog.Task> since = events.launchedSince(events.executorsAdded().get(replacement));
    long onReplacement = since.stream().filter(t -> t.executor().equals(replacement)).count();
    System.out.printf("after the replacement registered: %d tasks, %d of them on it%n", since.size(), onReplacement);
    assertTrue(since.size() >= 10, "too few tasks after the replacement registered to judge: " + since.size());
    assertTrue(3 * onReplacement >= since.size(), "the replacement executor ran " + onReplacement + " of the "
        + since.size() + " tasks after it registered: the run did not use both slots");
  }

  @Test
  @Order(3)
  void killingTheDriverThenResumingEndsOnTheSameWeights() throws Exception {
    Process driver = submit("driver-killed", cluster.masterUrl(), List.of());
    awaitCheckpoint("driver-killed", 10, driver);
    driver.destroyForcibly();
    assertTrue(driver.waitFor(1, TimeUnit.MINUTES));
    assertFalse(Files.exists(dir.resolve("models/driver-killed")), "the killed run left no model folder");
    try (Stream<Path> models = Files.list(dir.resolve("models"))) {
      assertTrue(models.anyMatch(p -> p.getFileName().toString().startsWith(".driver-killed.partial-")),
          "the killed run left its partial model folder behind");
    }
    Run resumed = finish("driver-killed", submit("driver-killed", cluster.masterUrl(), List.of("--resume")));
    assertTrue(resumed.err().contains("resumed from"), resumed.err());
    assertSameWeights(local.get().model(), resumed.model(), "killed and resumed run");
    try (Stream<Path> models = Files.list(dir.resolve("models"))) {
      assertTrue(models.noneMatch(p -> p.getFileName().toString().startsWith(".driver-killed.partial-")),
          "the resumed run removed the killed driver's partial model folder");
    }
  }

  @Test
  @Order(4)
  void clusterDeployModeRunsTheDriverInAWorkerAndEndsOnTheSameWeights() throws Exception {
    // The standalone gateway starts the driver with spark.driver.extraJavaOptions only: an extraJavaOptions of one's
    // own must repeat the Java 17 options cluster-configs/standalone/spark-defaults.conf gives it.
    String options = defaults().get("spark.driver.extraJavaOptions") + " -Dorg.bytedeco.javacpp.cachedir="
        + dir.resolve("javacpp-driver");
    Process submitter = launch("cluster-mode", cluster.masterUrl(), trainArgs("cluster-mode", "model"), Map.of(
        "spark.submit.deployMode", "cluster", "spark.standalone.submit.waitAppCompletion", "true",
        "spark.driver.extraJavaOptions", options));
    Run run = finish("cluster-mode", submitter);
    // spark-submit exits with 0 whatever the driver's end: its log says how the driver ended
    assertTrue(run.err().matches("(?s).*State of driver driver-\\S+ is FINISHED.*"), run.err());
    List<Path> folders = new ArrayList<>();
    for (int w = 1; w <= WORKERS; w++) {
      try (Stream<Path> drivers = Files.list(cluster.workDir(w))) {
        drivers.filter(p -> p.getFileName().toString().startsWith("driver-")).forEach(folders::add);
      }
    }
    assertEquals(1, folders.size(), "one driver, in one Worker's work directory: " + folders);
    Path driver = folders.get(0);
    String stderr = Files.readString(driver.resolve("stderr"));
    assertTrue(stderr.contains("org.apache.spark.deploy.worker.DriverWrapper"), stderr);
    assertTrue(stderr.contains("Spindle BLAS backend: native"), "the driver's log, in the Worker: " + stderr);
    assertSameWeights(local.get().model(), driver.resolve("model"), "driver in the cluster, model in its directory");
  }

  @Test
  @Order(5)
  void estimatorsFromADriverProgramFitTheWeightsOfLocal2() throws Exception {
    ClusterEstimators.Fitted onCluster = ClusterEstimators.fitAndSave(cluster.masterUrl(), jar,
        dir.resolve("estimators-cluster"), dir.resolve("javacpp-executors"), WORKERS);
    ClusterEstimators.Fitted inLocal = ClusterEstimators.fitAndSave("local[2]", null,
        dir.resolve("estimators-local"), dir.resolve("javacpp-executors"), 0);
    assertSameFloats(inLocal.classifierWeights(), onCluster.classifierWeights(), "TransformerClassifier");
    assertSameFloats(inLocal.translatorWeights(), onCluster.translatorWeights(), "TransformerTranslator");
  }

  /** cluster-configs/standalone/spark-defaults.conf as a map: the settings the cluster's spark-submit starts with. */
  static Map<String, String> defaults() throws IOException {
    Map<String, String> conf = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("cluster-configs/standalone/spark-defaults.conf"))) {
      String[] kv = line.strip().split("\\s+", 2);
      if (kv.length == 2 && !kv[0].startsWith("#")) {
        conf.put(kv[0], kv[1]);
      }
    }
    return conf;
  }

  /** Submits {@code train-lm} as application {@code name}: model, checkpoints and event log named after it. */
  static Process submit(String name, String master, List<String> extra) throws IOException {
    return submit(name, master, extra, Map.of());
  }

  /** {@link #submit(String, String, List)} with more Spark settings. */
  static Process submit(String name, String master, List<String> extra, Map<String, String> moreConf)
      throws IOException {
    Files.createDirectories(dir.resolve("models"));
    List<String> args = trainArgs(name, dir.resolve("models/" + name).toString());
    args.addAll(extra);
    return launch(name, master, args, moreConf);
  }

  /** The same small GPT for every run, its model folder at {@code modelDir}, checkpoints every 5 steps. */
  static List<String> trainArgs(String name, String modelDir) {
    return new ArrayList<>(List.of("train-lm", "--text", text.toString(), "--model-dir", modelDir, "--steps",
        String.valueOf(STEPS), "--seed", "7", "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size",
        "32", "--batch-size", "8", "--eval-every", "0", "--sample-tokens", "0", "--partitions", "2",
        "--checkpoint-every", "5", "--checkpoint-dir", dir.resolve("checkpoints/" + name).toUri().toString()));
  }

  /** Submits {@code args} as application {@code name}, with its event log, and {@code moreConf} over the defaults. */
  static Process launch(String name, String master, List<String> args, Map<String, String> moreConf)
      throws IOException {
    Path events = Files.createDirectories(dir.resolve("events/" + name));
    Map<String, String> conf = new HashMap<>(Map.of(
        "spark.eventLog.enabled", "true",
        "spark.eventLog.dir", events.toUri().toString(),
        "spark.eventLog.compress", "false",
        "spark.ui.enabled", "false",
        "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("javacpp-executors"),
        "spark.driver.extraJavaOptions", "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("javacpp-driver")));
    conf.putAll(moreConf);
    return cluster.submit(master, jar, conf, dir.resolve(name), args);
  }

  /** Waits for {@code driver} to end well, and returns the run. */
  static Run finish(String name, Process driver) throws Exception {
    boolean ended = driver.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    String err = Files.readString(dir.resolve(name + ".err"));
    if (!ended) {
      driver.destroyForcibly();
      fail(name + " did not end within " + RUN_TIMEOUT + "; its stderr:\n" + err);
    }
    assertEquals(0, driver.exitValue(), name + " failed; its stderr:\n" + err);
    return new Run(appId(name), dir.resolve("models/" + name), err);
  }

  /** The id of the (newest) application that wrote an event log to {@code events/NAME}. */
  static String appId(String name) throws IOException {
    try (Stream<Path> logs = Files.list(dir.resolve("events/" + name))) {
      return logs.map(p -> p.getFileName().toString()).filter(n -> n.matches("(eventlog_v2_)?(app|local)-.*")).sorted()
          .reduce((a, b) -> b).map(n -> n.replaceFirst("^eventlog_v2_", "").replaceFirst("\\.inprogress$", ""))
          .orElseThrow(() -> new IllegalStateException("no event log in events/" + name));
    }
  }

  /** Waits until run {@code name} has committed the checkpoint of {@code step}. */
  static void awaitCheckpoint(String name, int step, Process driver) throws Exception {
    Path checkpoint = dir.resolve("checkpoints/" + name + "/" + String.format("step-%08d", step) + "/manifest.json");
    if (!StandaloneCluster.await(RUN_TIMEOUT, () -> Files.exists(checkpoint) || !driver.isAlive())
        || !Files.exists(checkpoint)) {
      fail(name + " wrote no checkpoint of step " + step + "; its stderr:\n"
          + Files.readString(dir.resolve(name + ".err")));
    }
  }

  /**
   * Whether the Workers have started {@code count} executors for {@code appId} and the last one has started up: it
   * has connected to the driver to fetch the application's settings (its first connection), and waits for it.
   */
  static boolean connecting(String appId, int count) {
    try {
      List<Path> logs = cluster.executorLogs(appId, WORKERS);
      return logs.size() >= count && logs.stream().filter(l -> l.getParent().getFileName().toString()
          .equals(String.valueOf(count - 1))).anyMatch(l -> read(l).contains("Successfully created connection"));
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  /** {@link #assertSameFloats} of the two model folders' {@code model.safetensors}. */
  static void assertSameWeights(Path expected, Path actual, String what) throws IOException {
    assertSameFloats(expected.resolve("model.safetensors"), actual.resolve("model.safetensors"), what);
  }

  /**
   * The two {@code .safetensors} files are equal byte for byte (same header, same float bits); on a difference,
   * says how many of the floats differ.
   */
  static void assertSameFloats(Path expected, Path actual, String what) throws IOException {
    byte[] a = Files.readAllBytes(expected);
    byte[] b = Files.readAllBytes(actual);
    if (Arrays.equals(a, b)) {
      return;
    }
    long header = 8 + ByteBuffer.wrap(a, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int differing = 0;
    int floats = (int) ((Math.min(a.length, b.length) - header) / 4);
    for (int i = 0; i < floats; i++) {
      int at = (int) header + 4 * i;
      if (ByteBuffer.wrap(a, at, 4).getInt() != ByteBuffer.wrap(b, at, 4).getInt()) {
        differing++;
      }
    }
    assertArrayEquals(a, b, what + ": " + differing + " of " + floats + " weights differ from local[2]'s");
  }

  /** Lines of words drawn from a small vocabulary, seeded: a learnable text with a vocabulary of about 30 chars. */
  static String syntheticText(int chars) {
    String[] words = {"the", "cluster", "spark", "executor", "driver", "weights", "step", "native", "blas", "jar",
        "worker", "master", "gradient", "broadcast", "task", "loss"};
    SplittableRandom random = new SplittableRandom(11);
    StringBuilder s = new StringBuilder(chars + 20);
    while (s.length() < chars) {
      int n = 4 + random.nextInt(8);
      for (int i = 0; i < n; i++) {
        s.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
      }
      s.append(".\n");
    }
    return s.toString();
  }
}
