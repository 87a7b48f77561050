package io.spindle.bench;

import io.spindle.tensor.Blas;
import io.spindle.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times {@link TrainStep} the way {@code src/test/python/gpt_ref.py} times PyTorch, for a like-for-like comparison
 * on a shared machine: after {@code warmup} steps, each of {@code steps} steps is timed on the wall clock and dropped
 * as <em>dirty</em> when other processes used more than 10% of its duration in CPU time (machine busy time from
 * {@code /proc/stat} minus this process's CPU time; {@link StepClock}). Prints the median of the clean steps,
 * tokens/s, the number of dirty steps, and the median CPU time per step of the whole process (a contention-proof
 * figure when few steps are clean).
 *
 * <pre>  java -cp CLASSPATH io.spindle.bench.TrainStepTimer A BLAS_THREADS [warmup 5] [steps 20] [opThreads 1]
 *      [parallelism replicas|blas]</pre>
 * With {@code replicas} (the default, what {@code train-lm} does) the THREADS threads each run the step on a share
 * of the batch and BLAS is single-threaded; with {@code blas} one thread runs the batch with THREADS BLAS threads and
 * opThreads intra-op threads.
 */
public final class TrainStepTimer {
  private TrainStepTimer() {}

  public static void main(String[] args) {
    String cfg = args.length > 0 ? args[0] : "A";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int opThreads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    String parallelism = args.length > 5 ? args[5] : "replicas";
    boolean replicas = TrainStep.replicas(parallelism);
    Blas.get().setThreads(replicas ? 1 : threads);
    Parallel.setThreads(opThreads);
    TrainStep step = new TrainStep(cfg, replicas ? threads : 1);
    StepClock clock = new StepClock();
    List<Double> clean = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    int dirty = 0;
    float loss = 0;
    clock.start();
    for (int i = 0; i < warmup + steps; i++) {
      loss = step.run();
      StepClock.Lap lap = clock.lap();
      if (i < warmup) {
        continue;
      }
      cpu.add(lap.cpuSeconds());
      if (lap.dirty()) {
        dirty++;
      } else {
        clean.add(lap.seconds());
      }
    }
    double median = StepClock.median(clean);
    int tokens = TrainStep.tokensPerStep(cfg);
    System.out.printf(Locale.ROOT, "spindle cfg=%s threads=%d parallelism=%s opThreads=%d blas=%s clean_steps=%d dirty_steps=%d"
            + " median_step=%.1fms tok/s=%.0f median_cpu=%.1fms loss=%.3f%n", cfg, threads, parallelism, opThreads, Blas.get().name(),
        clean.size(), dirty,
        median * 1e3, tokens / median, StepClock.median(cpu) * 1e3, loss);
  }
}
