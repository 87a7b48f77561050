package io.spindle.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Prints {@link SparkTrainBench}'s three tables. Step times are medians over the steps no other process disturbed
 * ({@link StepClock}); when every step was disturbed, over all of them, marked {@code *}.
 */
final class BenchTables {
  private BenchTables() {}

  /** Table 1's row: one config's in-process and Spark runs and how evenly its batches fell on the tasks. */
  record ThroughputRow(BenchSetup setup, List<BenchRuns.Run> inProcess, List<BenchRuns.Run> spark,
      double taskShare) {}

  /** Table 2's row: a Spark run (or several pooled). */
  record AnatomyRow(BenchSetup setup, BenchRuns.Run run) {}

  /** A median step time in ms, whether it is over clean steps only, and the dirty count. */
  private record StepTime(double millis, boolean clean, int dirty, int total) {
    static StepTime of(List<StepClock.Lap> laps) {
      List<Double> clean = new ArrayList<>();
      List<Double> all = new ArrayList<>();
      for (StepClock.Lap lap : laps) {
        all.add(lap.seconds() * 1e3);
        if (!lap.dirty()) {
          clean.add(lap.seconds() * 1e3);
        }
      }
      boolean anyClean = !clean.isEmpty();
      return new StepTime(StepClock.median(anyClean ? clean : all), anyClean, all.size() - clean.size(),
          all.size());
    }

    String millisText() {
      return String.format(Locale.ROOT, "%.1f%s", millis, clean ? "" : "*");
    }

    String dirtyText() {
      return dirty + "/" + total;
    }
  }

  static void throughput(PrintStream out, List<ThroughputRow> rows, String how, int partitions) {
    out.println();
    out.println("1. Throughput: " + how);
    out.println("   global batch = M micro-batches x the config's batch B; in process: M passes of B windows; "
        + "Spark: every task the windows that start in its chunk (about M x B / " + partitions + ") in M passes");
    out.printf(Locale.ROOT, "%-4s %7s %-16s | %10s %9s %6s | %10s %9s %6s | %8s %6s | %-17s%n", "cfg", "params",
        "global batch", "in-process", "tok/s", "dirty", "Spark", "tok/s", "dirty", "Spark /", "task", "last loss");
    out.printf(Locale.ROOT, "%-4s %7s %-16s | %10s %9s %6s | %10s %9s %6s | %8s %6s | %-17s%n", "", "", "", "ms/step",
        "", "", "ms/step", "", "", "in-proc", "share", "in-proc / Spark");
    for (ThroughputRow r : rows) {
      BenchSetup s = r.setup();
      StepTime in = StepTime.of(BenchRuns.Run.pool(r.inProcess()).laps());
      StepTime sp = StepTime.of(BenchRuns.Run.pool(r.spark()).laps());
      double tokens = s.tokensPerStep();
      out.printf(Locale.ROOT, "%-4s %7s %-16s | %10s %,9.0f %6s | %10s %,9.0f %6s | %8.2f %6.2f | %.4f / %.4f%n",
          s.name(), millions(r.inProcess().get(0).parameters()), batch(s), in.millisText(), tokens / in.millis() * 1e3,
          in.dirtyText(), sp.millisText(), tokens / sp.millis() * 1e3, sp.dirtyText(), in.millis() / sp.millis(),
          r.taskShare(), last(r.inProcess()).lastLoss(), last(r.spark()).lastLoss());
    }
    out.println("   Spark / in-proc: the throughput ratio (in-process ms/step over Spark ms/step; target >= 0.9). "
        + "task share: the largest task's windows over the even share, mean over the timed steps.");
  }

  static void anatomy(PrintStream out, List<AnatomyRow> rows) {
    out.println();
    out.println("2. Anatomy of a Spark step (medians over the timed steps, ms): overhead = step - compute = broadcast "
        + "+ scheduling + task start + aggregation + driver step");
    out.printf(Locale.ROOT, "%-4s %7s %8s %-16s | %8s %8s %8s | %9s %6s %6s %6s %6s | %8s %8s %8s %8s%n", "run",
        "params", "weights", "global batch", "step", "compute", "overhead", "broadcast", "sched", "start", "aggr",
        "driver", "results", "heap", "heap", "direct");
    out.printf(Locale.ROOT, "%-4s %7s %8s %-16s | %8s %8s %8s | %9s %6s %6s %6s %6s | %8s %8s %8s %8s%n", "", "",
        "MB", "", "", "", "", "", "", "", "", "step", "MB/step", "peak MB", "live MB", "peak MB");
    for (AnatomyRow r : rows) {
      List<SparkStepEvents.Breakdown> b = r.run().breakdowns().stream().filter(Objects::nonNull).toList();
      HeapWatch.Peak heap = r.run().heap();
      out.printf(Locale.ROOT, "%-4s %7s %8.1f %-16s | %8s %8.0f %8.0f | %9.0f %6.0f %6.0f %6.0f %6.0f | %8.1f %8d %8s"
              + " %8d%n", r.setup().name(), millions(r.run().parameters()), r.run().parameters() * 4 / 1e6,
          batch(r.setup()), StepTime.of(r.run().laps()).millisText(), median(b, SparkStepEvents.Breakdown::compute),
          median(b, SparkStepEvents.Breakdown::overhead), median(b, SparkStepEvents.Breakdown::broadcast),
          median(b, SparkStepEvents.Breakdown::scheduling), median(b, SparkStepEvents.Breakdown::taskStart),
          median(b, SparkStepEvents.Breakdown::aggregation), median(b, SparkStepEvents.Breakdown::driverStep),
          median(b, x -> x.resultBytes()) / 1e6, heap.heapUsed() >> 20,
          heap.heapLive() < 0 ? "-" : String.valueOf(heap.heapLive() >> 20), heap.direct() >> 20);
      if (b.size() < r.run().breakdowns().size()) {
        out.printf(Locale.ROOT, "     (%d of %d steps not matched to exactly one Spark job; left out)%n",
            r.run().breakdowns().size() - b.size(), r.run().breakdowns().size());
      }
    }
    out.println("   step: wall time; compute: the longest task's executorRunTime; broadcast: step start to job start; "
        + "sched: job start to first task launch; start: the rest until the last task's compute ended; aggr: then "
        + "to job end (result transfer and merge); driver: job end to step end (clip, AdamW). Medians need not add "
        + "up. heap: this JVM (in local mode driver and executors share it), peak in use and peak right after a "
        + "collection; direct: off-heap tensor storage.");
  }

  static void bf16(PrintStream out, BenchSetup setup, BenchRuns.Run fp32, BenchRuns.Run bf16) {
    out.println();
    int steps = fp32.losses().size();
    out.printf(Locale.ROOT, "3. bfloat16 gradients: config %s, global batch %s, %d steps from the same seed (median "
        + "of the last %d)%n", setup.name(), batch(setup), steps, fp32.laps().size());
    out.printf(Locale.ROOT, "%-9s | %8s %6s | %10s | %10s %12s %14s | %8s%n", "gradients", "ms/step", "dirty",
        "results", "loss at", "|loss - fp32|", "max over steps", "heap");
    out.printf(Locale.ROOT, "%-9s | %8s %6s | %10s | %10s %12s %14s | %8s%n", "", "", "", "MB/step",
        "step " + steps, "", "|loss - fp32|", "peak MB");
    for (BenchRuns.Run r : List.of(fp32, bf16)) {
      StepTime t = StepTime.of(r.laps());
      double maxDiff = 0;
      for (int i = 0; i < steps; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(r.losses().get(i) - fp32.losses().get(i)));
      }
      List<SparkStepEvents.Breakdown> b = r.breakdowns().stream().filter(Objects::nonNull).toList();
      out.printf(Locale.ROOT, "%-9s | %8s %6s | %10.2f | %10.4f %12.2e %14.2e | %8d%n", r == fp32 ? "float32"
              : "bfloat16", t.millisText(), t.dirtyText(), median(b, x -> x.resultBytes()) / 1e6, r.lastLoss(),
          Math.abs(r.lastLoss() - fp32.lastLoss()), maxDiff, r.heap().heapUsed() >> 20);
    }
  }

  private static <T> double median(List<T> values, ToDoubleFunction<T> f) {
    return StepClock.median(values.stream().map(v -> f.applyAsDouble(v)).toList());
  }

  private static BenchRuns.Run last(List<BenchRuns.Run> runs) {
    return runs.get(runs.size() - 1);
  }

  private static String millions(long parameters) {
    return String.format(Locale.ROOT, "%.2fM", parameters / 1e6);
  }

  private static String batch(BenchSetup s) {
    return String.format(Locale.ROOT, "%dx%d (%dx%d)", s.globalBatch(), s.model().blockSize(), s.microBatches(),
        s.batchSize());
  }
}
