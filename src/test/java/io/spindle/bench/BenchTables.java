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

  /** Table 2's row: a Spark run (or several pooled); {@code variant} "base" or "new" with --baseline, else "". */
  record AnatomyRow(BenchSetup setup, BenchRuns.Run run, String variant) {
    List<SparkStepEvents.Breakdown> matched() {
      return run.breakdowns().stream().filter(Objects::nonNull).toList();
    }

    /** The median overhead per million parameters, ms. */
    double overheadPerMillion() {
      return median(matched(), SparkStepEvents.Breakdown::overhead) / (run.parameters() / 1e6);
    }
  }

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
    out.printf(Locale.ROOT, "%-9s %7s %8s %-16s | %8s %8s %6s %8s %6s | %9s %6s %6s %6s %6s | %8s %8s %8s %8s%n",
        "run", "params", "weights", "global batch", "step", "compute", "on", "overhead", "ovh", "broadcast", "sched",
        "start", "aggr", "driver", "results", "heap", "heap", "direct");
    out.printf(Locale.ROOT, "%-9s %7s %8s %-16s | %8s %8s %6s %8s %6s | %9s %6s %6s %6s %6s | %8s %8s %8s %8s%n", "",
        "", "MB", "", "", "", "cpu %", "", "ms/M", "", "", "", "", "step", "MB/step", "peak MB", "live MB", "peak MB");
    for (AnatomyRow r : rows) {
      List<SparkStepEvents.Breakdown> b = r.matched();
      HeapWatch.Peak heap = r.run().heap();
      out.printf(Locale.ROOT, "%-9s %7s %8.1f %-16s | %8s %8.0f %6.0f %8.0f %6.1f | %9.0f %6.0f %6.0f %6.0f %6.0f | "
              + "%8.1f %8d %8s %8d%n", r.setup().name() + (r.variant().isEmpty() ? "" : " " + r.variant()),
          millions(r.run().parameters()), r.run().parameters() * 4 / 1e6,
          batch(r.setup()), StepTime.of(r.run().laps()).millisText(), median(b, SparkStepEvents.Breakdown::compute),
          100 * median(b, SparkStepEvents.Breakdown::onCpu), median(b, SparkStepEvents.Breakdown::overhead),
          r.overheadPerMillion(),
          median(b, SparkStepEvents.Breakdown::broadcast),
          median(b, SparkStepEvents.Breakdown::scheduling), median(b, SparkStepEvents.Breakdown::taskStart),
          median(b, SparkStepEvents.Breakdown::aggregation), median(b, SparkStepEvents.Breakdown::driverStep),
          median(b, x -> x.resultBytes()) / 1e6, heap.heapUsed() >> 20,
          heap.heapLive() < 0 ? "-" : String.valueOf(heap.heapLive() >> 20), heap.direct() >> 20);
      if (b.size() < r.run().breakdowns().size()) {
        out.printf(Locale.ROOT, "     (%d of %d steps not matched to exactly one Spark job; left out)%n",
            r.run().breakdowns().size() - b.size(), r.run().breakdowns().size());
      }
    }
    out.println("   step: wall time; compute: the longest task's executorRunTime; on cpu: the tasks' executorCpuTime over "
        + "their executorRunTime (below 100: a task waited for a core); broadcast: step start to job start; "
        + "sched: job start to first task launch; start: the rest until the last task's compute ended; aggr: then "
        + "to job end (result transfer and merge); driver: job end to step end (clip, AdamW). Medians need not add "
        + "up. ovh ms/M: overhead per million parameters (target <= 10). heap: this JVM (in local mode driver and "
        + "executors share it), peak in use and peak right after a collection; direct: off-heap tensor storage.");
    compare(out, rows);
  }

  /** With --baseline: each size's overhead per million parameters, baseline against today, and their ratio. */
  private static void compare(PrintStream out, List<AnatomyRow> rows) {
    List<String> lines = new ArrayList<>();
    for (AnatomyRow base : rows) {
      if (!base.variant().equals("base")) {
        continue;
      }
      for (AnatomyRow now : rows) {
        if (now.variant().equals("new") && now.setup().name().equals(base.setup().name())) {
          lines.add(String.format(Locale.ROOT, "%-5s | %10.1f %10.1f | %8.2fx | %10.0f %10.0f | %8.0f %8.0f",
              base.setup().name(), base.overheadPerMillion(), now.overheadPerMillion(),
              base.overheadPerMillion() / now.overheadPerMillion(),
              median(base.matched(), SparkStepEvents.Breakdown::driverStep),
              median(now.matched(), SparkStepEvents.Breakdown::driverStep), base.run().heap().heapUsed() / 1e6,
              now.run().heap().heapUsed() / 1e6));
        }
      }
    }
    if (lines.isEmpty()) {
      return;
    }
    out.println();
    out.println("   Before / after, side by side in this session (base: Spark's compression and checksum defaults,"
        + " element-by-element float codecs, gradients inside the task results, the unfused driver update;"
        + " new: today's)");
    out.printf(Locale.ROOT, "%-5s | %10s %10s | %9s | %10s %10s | %8s %8s%n", "size", "ovh ms/M", "ovh ms/M",
        "speed-up", "driver ms", "driver ms", "heap MB", "heap MB");
    out.printf(Locale.ROOT, "%-5s | %10s %10s | %9s | %10s %10s | %8s %8s%n", "", "base", "new", "", "base", "new",
        "base", "new");
    lines.forEach(out::println);
  }

  /** Table 4: default against deterministic Spark runs of one config. */
  static void determinism(PrintStream out, BenchSetup setup, List<BenchRuns.Run> plain,
      List<BenchRuns.Run> canonical) {
    out.println();
    out.printf(Locale.ROOT, "4. Determinism: config %s, global batch %s, Spark, default (partition-keyed) sum against"
        + " the canonical sum (--deterministic), %d alternating run(s) each%n", setup.name(), batch(setup),
        plain.size());
    StepTime p = StepTime.of(BenchRuns.Run.pool(plain).laps());
    StepTime c = StepTime.of(BenchRuns.Run.pool(canonical).laps());
    out.printf(Locale.ROOT, "%-13s | %8s %6s | %9s%n", "sum", "ms/step", "dirty", "tok/s");
    for (var e : List.of(java.util.Map.entry("default", p), java.util.Map.entry("deterministic", c))) {
      out.printf(Locale.ROOT, "%-13s | %8s %6s | %,9.0f%n", e.getKey(), e.getValue().millisText(),
          e.getValue().dirtyText(), setup.tokensPerStep() / e.getValue().millis() * 1e3);
    }
    out.printf(Locale.ROOT, "   throughput cost of --deterministic: %.1f%% (deterministic ms/step over default, minus 1);"
        + " last losses %.6f / %.6f%n", (c.millis() / p.millis() - 1) * 100, last(plain).lastLoss(),
        last(canonical).lastLoss());
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
