package io.spindle.bench;

import io.spindle.tensor.Blas;
import io.spindle.tensor.Parallel;
import io.spindle.tensor.Storage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One full GPT training step ({@link TrainStep}: zero grads, forward, mean cross-entropy, backward, clip to global
 * norm 1, AdamW, graph reset) on random tokens, for configs {@code A} and {@code B} of
 * {@code src/test/python/gpt_ref.py}, on {@code threads} threads used as {@code parallelism} says:
 * {@code replicas} (default; what {@code train-lm} does) splits the batch's rows over that many threads, each
 * running the whole step on its share with single-threaded BLAS ({@link io.spindle.train.LocalReplicas}); {@code blas}
 * runs the batch on one thread with that many BLAS threads ({@link Blas#setThreads}) and {@code opThreads} intra-op
 * threads for the element kernels ({@link Parallel#setThreads}, default 1).
 *
 * <p>Scores are milliseconds per step. Two auxiliary counters measure allocation: {@code storageBytes} sums the
 * growth of {@link Storage#bytesAllocated()} (tensor storage, off-heap under native BLAS) over the measured steps and
 * {@code steps} counts them, so storage bytes per step is their ratio; after warm-up it should be 0. Heap bytes per
 * step come from JMH's {@code -prof gc} ({@code gc.alloc.rate.norm}). {@link TrainStepTable} prints all of it per
 * config and thread count. Run through {@code bin/bench TrainStep}; {@link TrainStepTimer} times the same step the
 * way gpt_ref.py does (median of steps no other process disturbed), and {@link OpProfile} breaks a JFR recording
 * of this benchmark down by op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainStepBenchmark {
  @Param({"A", "B"})
  public String cfg;

  @Param({"1", "2"})
  public int threads;

  /** Intra-op threads of the element kernels ({@link Parallel}); 1 (off) unless asked, e.g. -p opThreads=2. */
  @Param({"1"})
  public int opThreads;

  /** How the threads are used: {@code replicas} (data parallel over the batch) or {@code blas} (inside ops). */
  @Param({"replicas"})
  public String parallelism;

  private TrainStep trainStep;

  /** Counters JMH reports next to the score; reset at the start of every iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Allocation {
    /** Growth of {@link Storage#bytesAllocated()} over this iteration's steps. */
    public long storageBytes;
    /** Steps run in this iteration. */
    public long steps;

    @Setup(Level.Iteration)
    public void clear() {
      storageBytes = 0;
      steps = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    boolean replicas = TrainStep.replicas(parallelism);
    Blas.get().setThreads(replicas ? 1 : threads);
    Parallel.setThreads(opThreads);
    trainStep = new TrainStep(cfg, replicas ? threads : 1);
  }

  @Benchmark
  public float step(Allocation allocation) {
    long before = Storage.bytesAllocated();
    float loss = trainStep.run();
    allocation.storageBytes += Storage.bytesAllocated() - before;
    allocation.steps++;
    return loss;
  }
}
