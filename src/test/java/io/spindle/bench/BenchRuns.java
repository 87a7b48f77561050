package io.spindle.bench;

import io.spindle.nn.Gpt;
import io.spindle.spark.SparkTokenStream;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Parallel;
import io.spindle.train.GlobalBatch;
import io.spindle.train.LmObjective;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The timed training runs {@link SparkTrainBench} compares: the same model, seed, token stream and global batch,
 * trained in this process or by {@link SparkTrainer}, each run from freshly initialised weights.
 *
 * <p><b>In process</b>: {@link LocalTrainer}, as {@code train-lm} runs it: the step's global batch
 * ({@link GlobalBatch}) split over {@code threads} threads (single-threaded BLAS), each thread's share in
 * {@code microBatches} micro-batches.
 *
 * <p><b>Spark</b>: {@link SparkTrainer} over a {@link SparkTokenStream} of P chunks with {@code microBatches}
 * micro-batches per task: every task takes the windows of the global batch that start in its chunk (to within one,
 * {@code batchSize * microBatches / P}: the starts are stratified) in {@code microBatches} groups. In local mode the tasks run in this JVM; each
 * sets BLAS to {@code spark.task.cpus} threads (1), and the run sets it to 1 beforehand because the executors'
 * setting is cached per JVM and an in-process run in between changes it.
 *
 * <p>Both record every step's mean loss, so a run can check that the two compute the same steps.
 */
final class BenchRuns {
  private BenchRuns() {}

  /**
   * One run.
   *
   * @param parameters the model's parameter count
   * @param laps the measured steps (after the warm-up)
   * @param losses the mean training loss of every step, warm-up included
   * @param breakdowns the measured steps taken apart ({@link SparkStepEvents}); empty in process, a null element
   *     for a step whose Spark events did not match it
   * @param heap the JVM's memory peaks during the run (Spark runs; null in process)
   */
  record Run(long parameters, List<StepClock.Lap> laps, List<Double> losses,
      List<SparkStepEvents.Breakdown> breakdowns, HeapWatch.Peak heap) {
    double lastLoss() {
      return losses.get(losses.size() - 1);
    }

    /** Runs of one setup pooled: every measured step, the losses of the last run, the highest memory peaks. */
    static Run pool(List<Run> runs) {
      List<StepClock.Lap> laps = new ArrayList<>();
      List<SparkStepEvents.Breakdown> breakdowns = new ArrayList<>();
      HeapWatch.Peak heap = null;
      for (Run r : runs) {
        laps.addAll(r.laps());
        breakdowns.addAll(r.breakdowns());
        heap = r.heap() == null ? heap : heap == null ? r.heap() : new HeapWatch.Peak(
            Math.max(heap.heapUsed(), r.heap().heapUsed()), Math.max(heap.heapLive(), r.heap().heapLive()),
            Math.max(heap.direct(), r.heap().direct()));
      }
      Run last = runs.get(runs.size() - 1);
      return new Run(last.parameters(), laps, last.losses(), breakdowns, heap);
    }
  }

  /**
   * A stream of {@code length} tokens over {@code vocab} ids with something to learn: mostly a fixed pattern (each
   * token 7 above the one before, jumping every fifth), one token in ten uniform noise.
   */
  static int[] tokens(int length, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[length];
    for (int i = 0; i < length; i++) {
      t[i] = r.nextInt(10) == 0 ? r.nextInt(vocab) : (int) ((i * 7L + i / 5) % vocab);
    }
    return t;
  }

  /** {@code warmup + steps} steps in this process; the first {@code warmup} are not timed. */
  static Run inProcess(BenchSetup setup, int[] tokens, int warmup, int steps, long seed, int threads,
      int opThreads) throws IOException {
    Blas.get().setThreads(1);
    Parallel.setThreads(opThreads);
    Gpt model = Gpt.create(setup.model(), seed);
    TrainingConfig config = setup.training(warmup + steps, seed);
    List<StepClock.Lap> laps = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    StepClock clock = new StepClock();
    clock.start();
    new LocalTrainer<>(new LmObjective(setup.model(), seed, config.batchSize(), tokens.length), model, config,
        threads).train(LmObjective.whole(tokens, setup.model().blockSize()), null, null, m -> {
          StepClock.Lap lap = clock.lap();
          losses.add(m.loss());
          if (m.step() > warmup) {
            laps.add(lap);
          }
        });
    return new Run(model.parameters().count(), laps, losses, List.of(), null);
  }

  /** {@code warmup + steps} steps with {@link SparkTrainer} over {@code data}; the first {@code warmup} untimed. */
  static Run spark(BenchSetup setup, SparkTokenStream data, int warmup, int steps, long seed, boolean bf16,
      SparkStepEvents events) throws IOException {
    Blas.get().setThreads(1);
    Parallel.setThreads(1);
    Gpt model = Gpt.create(setup.model(), seed);
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCompressedGradients(bf16);
    TrainingConfig config = setup.training(warmup + steps, seed);
    SparkTrainer<Gpt, TokenChunk> trainer = new SparkTrainer<>(data.objective(setup.model(), config), model, config,
        options, null, null);
    List<StepClock.Lap> laps = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    StepClock clock = new StepClock();
    events.clear();
    HeapWatch heap = HeapWatch.start();
    clock.start();
    trainer.train(data, null, null, m -> {
      StepClock.Lap lap = clock.lap();
      losses.add(m.loss());
      if (m.step() > warmup) {
        laps.add(lap);
      }
    });
    HeapWatch.Peak peak = heap.stop();
    events.awaitJobs();
    List<SparkStepEvents.Breakdown> breakdowns = new ArrayList<>();
    for (StepClock.Lap lap : laps) {
      breakdowns.add(events.breakdown(lap));
    }
    return new Run(model.parameters().count(), laps, losses, breakdowns, peak);
  }

  /**
   * How unevenly the global batch falls on P chunks: the mean over steps {@code [fromStep, toStep)} of the largest
   * chunk's share of the windows divided by the even share {@code B / P}. A step lasts as long as its largest task.
   */
  static double taskShare(BenchSetup setup, long streamLength, int partitions, long seed, long fromStep,
      long toStep) {
    long chunkLength = (streamLength + partitions - 1) / partitions; // the trainer's StreamLayout
    double sum = 0;
    for (long step = fromStep; step < toStep; step++) {
      int[] counts = new int[partitions];
      for (long start : GlobalBatch.starts(seed, step, setup.globalBatch(), streamLength,
          setup.model().blockSize())) {
        counts[(int) Math.min(partitions - 1, start / chunkLength)]++;
      }
      int max = 0;
      for (int c : counts) {
        max = Math.max(max, c);
      }
      sum += max / ((double) setup.globalBatch() / partitions);
    }
    return sum / (toStep - fromStep);
  }
}
