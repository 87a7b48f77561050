package io.spindle.bench;

import io.spindle.spark.BaselineKryoRegistrator;
import io.spindle.spark.SparkTokenStream;
import io.spindle.spark.SpindleSparkConf;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Simd;
import io.spindle.train.TrainingLoop;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Spark trainer's benchmark ({@code bin/bench spark}): prints three tables.
 *
 * <ol>
 *   <li><b>Throughput</b>: configs A and B trained in process (2 threads, each on its share of the batch, as
 *       {@code train-lm} runs) and by {@code SparkTrainer} in
 *       {@code local[2]} with 2 partitions (1 BLAS thread per task), the same global batch, seed and token stream,
 *       in alternating runs in this JVM; median ms/step, tokens/s and the ratio.</li>
 *   <li><b>Anatomy of a Spark step</b>: the Spark runs of table 1 and runs of about 1M, 10M, 50M (and 100M) parameters at
 *       a global batch of 2 windows, each step taken apart into task compute and the Spark overhead
 *       ({@link SparkStepEvents}); the JVM's peak heap during the run ({@link HeapWatch}).</li>
 *   <li><b>bf16 gradients</b>: the first config trained by Spark with float32 and with bfloat16 gradients in the
 *       aggregation, same seed: step time, bytes of task results and the loss after N steps.</li>
 *   <li><b>Determinism</b> ({@code --sections determinism}): the first config trained by Spark with the default and
 *       with the canonical gradient sum, alternating: step times and their ratio.</li>
 *   <li><b>Rates</b> ({@code --sections rates}): the constants of docs/scaling.md's model ({@link BenchRates}).</li>
 * </ol>
 * With {@code --baseline}, table 2's size rows come twice, measured side by side: the baseline (the settings and
 * code paths before the step was tuned) and today's; every section runs in a SparkContext of its own.
 * Runs and their timing are in {@link BenchRuns} and {@link StepClock}; docs/benchmarks.md explains
 * every column.
 */
@Command(name = "bin/bench spark", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Spark trainer vs the in-process trainer: throughput, per-step overhead, peak heap, bf16.")
public final class SparkTrainBench implements Callable<Integer> {
  @Option(names = "--master", defaultValue = "local[2]", description = "Spark master (default: ${DEFAULT-VALUE}).")
  String master;

  @Option(names = "--partitions", defaultValue = "2", description = "Chunks, i.e. tasks per step "
      + "(default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--threads", defaultValue = "2", description = "Threads of the in-process trainer, each on its "
      + "share of the batch as train-lm runs (LocalReplicas; default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--op-threads", defaultValue = "1", description = "Intra-op threads of the in-process trainer "
      + "(spindle.op.threads; default: ${DEFAULT-VALUE}).")
  int opThreads;

  @Option(names = "--sections", defaultValue = "throughput,overhead,bf16", split = ",",
      description = "Tables to print: throughput, overhead, bf16, determinism, rates (default: ${DEFAULT-VALUE}).")
  List<String> sections;

  @Option(names = "--baseline", description = "Table 2's overhead rows twice, in alternating SparkContexts: the "
      + "baseline (Spark's compression and checksum defaults, element-by-element float codecs, gradients inside "
      + "the task results, the unfused driver update) and today's settings, side by side.")
  boolean baseline;

  @Option(names = "--configs", defaultValue = "A,B", split = ",", description = "Configs of tables 1 and 3 "
      + "(default: ${DEFAULT-VALUE}).")
  List<String> configs;

  @Option(names = "--micro-batches", defaultValue = "2", description = "Micro-batches per step: the global batch "
      + "is this many times the config's batch (default: ${DEFAULT-VALUE}).")
  int microBatches;

  @Option(names = "--rounds", defaultValue = "2", description = "Alternating in-process / Spark runs per config "
      + "(default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps at the start of every run "
      + "(default: ${DEFAULT-VALUE}: Spark's own driver code is still being JIT-compiled over a context's first tens "
      + "of jobs, and on 2 cores the compiler takes CPU from the tasks).")
  int warmup;

  @Option(names = "--warmup-rounds", defaultValue = "1", description = "Untimed in-process / Spark run pairs per "
      + "config of table 1 before its timed rounds (default: ${DEFAULT-VALUE}), so that both sides start warm: the "
      + "first runs of a JVM still compile Spark's driver code and the kernels.")
  int warmupRounds;

  @Option(names = "--steps", defaultValue = "4", description = "Timed steps per run (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--overhead-sizes", defaultValue = "1M,10M,50M", split = ",", description = "Model sizes of "
      + "table 2's overhead rows: 1M, 10M, 50M, 100M (default: ${DEFAULT-VALUE}).")
  List<String> overheadSizes;

  @Option(names = "--overhead-steps", defaultValue = "4", description = "Timed steps of each overhead run "
      + "(default: ${DEFAULT-VALUE}).")
  int overheadSteps;

  @Option(names = "--bf16-steps", defaultValue = "20", description = "Steps of each bf16 / fp32 run, the loss "
      + "compared after the last (default: ${DEFAULT-VALUE}).")
  int bf16Steps;

  @Option(names = "--determinism-rounds", defaultValue = "2", description = "Alternating default / deterministic "
      + "Spark runs of the first config in the determinism table (default: ${DEFAULT-VALUE}).")
  int determinismRounds;

  @Option(names = "--tokens", defaultValue = "1048576", description = "Length of the synthetic token stream "
      + "(default: ${DEFAULT-VALUE}).")
  int tokenCount;

  @Option(names = "--seed", defaultValue = "1337", description = "Seed of weights, batches and tokens "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Extra Spark configuration (repeatable).")
  List<String> conf = new ArrayList<>();

  private final PrintStream out = System.out;
  private final List<BenchTables.AnatomyRow> anatomy = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new SparkTrainBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    check(partitions >= 1 && threads >= 1 && opThreads >= 1, "--partitions, --threads and --op-threads must be >= 1");
    check(microBatches >= 1 && rounds >= 1 && warmupRounds >= 0 && warmup >= 0 && steps >= 1 && overheadSteps >= 1
        && bf16Steps >= 2 && determinismRounds >= 1, "--micro-batches, --rounds, --steps, --overhead-steps, "
        + "--determinism-rounds must be >= 1, --warmup and --warmup-rounds >= 0, --bf16-steps >= 2");
    for (String s : sections) {
      check(List.of("throughput", "overhead", "bf16", "determinism", "rates").contains(s),
          "--sections: unknown section '" + s + "'");
    }
    int[] tokens = BenchRuns.tokens(tokenCount, 256, seed);
    inContext(false, (jsc, events) -> {
      out.printf(Locale.ROOT, "Spark %s, master %s, %d partitions; BLAS %s; %s; %d cores; max heap %d MB; "
              + "%,d-token synthetic stream, seed %d%n", jsc.version(), jsc.master(), partitions, Blas.get().name(),
          Simd.describe(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
          tokens.length, seed);
      if (sections.contains("throughput")) {
        throughput(jsc, tokens, events);
      }
      return null;
    });
    if (sections.contains("overhead")) {
      overhead(tokens);
    }
    if (!anatomy.isEmpty()) {
      BenchTables.anatomy(out, anatomy);
    }
    if (sections.contains("bf16")) {
      inContext(false, (jsc, events) -> {
        bf16(jsc, tokens, events);
        return null;
      });
    }
    if (sections.contains("determinism")) {
      inContext(false, (jsc, events) -> {
        determinism(jsc, tokens, events);
        return null;
      });
    }
    if (sections.contains("rates")) {
      BenchRates.print(out);
      inContext(false, (jsc, events) -> {
        BenchRates.jobLatency(out, jsc, partitions);
        return null;
      });
    }
    return 0;
  }

  /** Work in a SparkContext of its own. */
  @FunctionalInterface
  private interface InContext<T> {
    T run(JavaSparkContext jsc, SparkStepEvents events) throws Exception;
  }

  /**
   * Runs {@code work} in a fresh SparkContext with today's settings ({@link SpindleSparkConf}) or the baseline's
   * (Spark's own compression and checksum defaults, {@link BaselineKryoRegistrator}'s element-by-element float
   * codecs, gradients inside the task results ({@code spark.spindle.gradientBlocks=false}), the weights serialised
   * into the broadcast's pieces in local mode too ({@code spark.spindle.localWeightsByReference=false}), and the
   * unfused driver update, {@link TrainingLoop#FUSED_PROPERTY}); the context is stopped afterwards.
   */
  private <T> T inContext(boolean baseline, InContext<T> work) throws Exception {
    SparkConf sparkConf = new SparkConf().setAppName("spindle bench spark").setMaster(master)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.log.level", "WARN");
    if (baseline) {
      sparkConf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
          .set("spark.kryo.registrator", BaselineKryoRegistrator.class.getName())
          .set("spark.broadcast.compress", "true")
          .set("spark.broadcast.checksum", "true")
          .set("spark.spindle.gradientBlocks", "false")
          .set("spark.spindle.localWeightsByReference", "false");
    }
    for (String kv : conf) {
      int eq = kv.indexOf('=');
      check(eq > 0, "--conf: expected KEY=VALUE, got '" + kv + "'");
      sparkConf.set(kv.substring(0, eq), kv.substring(eq + 1));
    }
    SpindleSparkConf.withDefaults(sparkConf);
    String fused = System.getProperty(TrainingLoop.FUSED_PROPERTY);
    System.setProperty(TrainingLoop.FUSED_PROPERTY, String.valueOf(!baseline));
    JavaSparkContext jsc = new JavaSparkContext(sparkConf);
    SparkStepEvents events = new SparkStepEvents();
    jsc.sc().addSparkListener(events);
    try {
      return work.run(jsc, events);
    } finally {
      jsc.sc().removeSparkListener(events);
      jsc.stop();
      if (fused == null) {
        System.clearProperty(TrainingLoop.FUSED_PROPERTY);
      } else {
        System.setProperty(TrainingLoop.FUSED_PROPERTY, fused);
      }
    }
  }

  /** Table 1; its Spark runs also go to table 2. */
  private void throughput(JavaSparkContext jsc, int[] tokens, SparkStepEvents events) throws Exception {
    List<BenchTables.ThroughputRow> rows = new ArrayList<>();
    for (String name : configs) {
      BenchSetup setup = BenchSetup.config(name, microBatches);
      List<BenchRuns.Run> inProcess = new ArrayList<>();
      List<BenchRuns.Run> spark = new ArrayList<>();
      try (SparkTokenStream data = stream(jsc, tokens, setup)) {
        for (int round = 0; round < warmupRounds; round++) { // untimed: their runs are dropped
          progress("%s: warm-up round %d of %d", name, round + 1, warmupRounds);
          BenchRuns.inProcess(setup, tokens, warmup, steps, seed, threads, opThreads);
          BenchRuns.spark(setup, data, warmup, steps, seed, false, events);
        }
        for (int round = 0; round < rounds; round++) {
          progress("%s: round %d of %d", name, round + 1, rounds);
          if (round % 2 == 0) { // alternate which goes first, so that a drift in the machine's load hits both
            inProcess.add(BenchRuns.inProcess(setup, tokens, warmup, steps, seed, threads, opThreads));
            spark.add(BenchRuns.spark(setup, data, warmup, steps, seed, false, events));
          } else {
            spark.add(BenchRuns.spark(setup, data, warmup, steps, seed, false, events));
            inProcess.add(BenchRuns.inProcess(setup, tokens, warmup, steps, seed, threads, opThreads));
          }
        }
      }
      double share = BenchRuns.taskShare(setup, tokens.length, partitions, seed, warmup, warmup + steps);
      rows.add(new BenchTables.ThroughputRow(setup, inProcess, spark, share));
      anatomy.add(new BenchTables.AnatomyRow(setup, BenchRuns.Run.pool(spark), ""));
    }
    BenchTables.throughput(out, rows, String.format(Locale.ROOT, "in process on %d thread(s) (batch shards) and %d "
        + "op thread(s) vs Spark %s, %d partitions (1 BLAS thread per task); medians over %d round(s) x %d timed steps "
        + "per side, %d warm-up step(s) per run excluded, after %d untimed round(s)", threads, opThreads, master,
        partitions, rounds, steps, warmup, warmupRounds), partitions);
  }

  /**
   * The size rows of table 2; with {@code --baseline} each size twice, baseline and today's settings in alternating
   * order (the baseline first at the first size, second at the next), each in a SparkContext of its own.
   */
  private void overhead(int[] tokens) throws Exception {
    for (int i = 0; i < overheadSizes.size(); i++) {
      BenchSetup setup = BenchSetup.size(overheadSizes.get(i));
      List<Boolean> variants = !baseline ? List.of(false) : i % 2 == 0 ? List.of(true, false) : List.of(false, true);
      for (boolean old : variants) {
        progress("overhead at %s parameters%s", setup.name(), baseline ? (old ? ", baseline" : ", today") : "");
        BenchRuns.Run run = inContext(old, (jsc, events) -> {
          try (SparkTokenStream data = stream(jsc, tokens, setup)) {
            return BenchRuns.spark(setup, data, warmup, overheadSteps, seed, false, events);
          }
        });
        anatomy.add(new BenchTables.AnatomyRow(setup, run, !baseline ? "" : old ? "base" : "new"));
      }
    }
  }

  /** Table 4: the cost of the canonical sum, default and deterministic Spark runs of the first config alternating. */
  private void determinism(JavaSparkContext jsc, int[] tokens, SparkStepEvents events) throws Exception {
    BenchSetup setup = BenchSetup.config(configs.get(0), microBatches);
    List<BenchRuns.Run> plain = new ArrayList<>();
    List<BenchRuns.Run> canonical = new ArrayList<>();
    try (SparkTokenStream data = stream(jsc, tokens, setup)) {
      for (int round = 0; round < determinismRounds; round++) {
        progress("%s: default and deterministic, round %d of %d", setup.name(), round + 1, determinismRounds);
        for (boolean deterministic : round % 2 == 0 ? List.of(false, true) : List.of(true, false)) {
          BenchRuns.Run r = BenchRuns.spark(setup, data, warmup, steps, seed, false, deterministic, events);
          (deterministic ? canonical : plain).add(r);
        }
      }
    }
    BenchTables.determinism(out, setup, plain, canonical);
  }

  /** Table 3. */
  private void bf16(JavaSparkContext jsc, int[] tokens, SparkStepEvents events) throws Exception {
    BenchSetup setup = BenchSetup.config(configs.get(0), microBatches);
    int timed = bf16Steps - Math.min(warmup, bf16Steps - 1);
    BenchRuns.Run fp32;
    BenchRuns.Run bf16;
    try (SparkTokenStream data = stream(jsc, tokens, setup)) {
      progress("%s: float32 gradients, %d steps", setup.name(), bf16Steps);
      fp32 = BenchRuns.spark(setup, data, bf16Steps - timed, timed, seed, false, events);
      progress("%s: bfloat16 gradients, %d steps", setup.name(), bf16Steps);
      bf16 = BenchRuns.spark(setup, data, bf16Steps - timed, timed, seed, true, events);
    }
    BenchTables.bf16(out, setup, fp32, bf16);
  }

  private SparkTokenStream stream(JavaSparkContext jsc, int[] tokens, BenchSetup setup) {
    return SparkTokenStream.fromTokens(jsc, tokens, setup.model().blockSize(), setup.model().vocabSize(),
        partitions);
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "bench spark: " + format + "%n", args);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
