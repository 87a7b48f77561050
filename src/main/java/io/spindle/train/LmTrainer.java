package io.spindle.train;

import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.optim.AdamW;
import java.io.IOException;
import java.util.List;

/**
 * Trains a {@link Gpt} in this JVM: the reference the Spark trainer reproduces, and the laptop experience.
 *
 * <p>The step is {@link TrainingLoop}'s, the batch {@link GlobalBatch}'s: B windows of the training tokens at starts
 * that are a pure function of (seed, step, window), forward and backward as one batch (or, with several threads, as
 * one shard of rows per thread, see {@link LocalReplicas}). A step whose gradient is not
 * finite is skipped with a warning.
 */
public final class LmTrainer {
  private final TrainingLoop loop;
  private final int threads;

  /** Receives each step's metrics, in order. */
  @FunctionalInterface
  public interface Listener {
    void onStep(StepMetrics metrics) throws IOException;
  }

  public LmTrainer(Gpt model, LmTrainingConfig config) {
    this(model, config, 1);
  }

  /**
   * A trainer that splits each step's batch over {@code threads} threads ({@link LocalReplicas}): faster on a
   * machine of its own; the same training up to float rounding (the gradient sums are added in another order).
   */
  public LmTrainer(Gpt model, LmTrainingConfig config, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("LmTrainer: threads must be >= 1, got " + threads);
    }
    this.loop = new TrainingLoop(model, config);
    this.threads = threads;
  }

  public AdamW optimizer() {
    return loop.optimizer();
  }

  /** Runs training; returns the metrics of the last step taken. */
  public StepMetrics train(int[] trainTokens, int[] validationTokens, Listener listener) throws IOException {
    Gpt model = loop.model();
    LmTrainingConfig config = loop.config();
    int blockSize = model.config().blockSize();
    GlobalBatch.starts(config.seed(), 0, config.batchSize(), trainTokens.length, blockSize); // validates the length
    int[] all = GlobalBatch.all(config.batchSize());
    try (LocalReplicas replicas = new LocalReplicas(model, threads)) {
      TrainingLoop.GradientSource source = step -> {
        long[] starts = GlobalBatch.starts(config.seed(), step, config.batchSize(), trainTokens.length, blockSize);
        Batch batch = GlobalBatch.gather(trainTokens, 0, starts, all, 0, all.length, blockSize);
        return replicas.accumulate(batch, firstWindow -> GlobalBatch.dropoutSeed(config.seed(), step, firstWindow));
      };
      List<Batch> validation = TrainingLoop.validationBatches(validationTokens, blockSize, config.batchSize());
      return loop.run(0, source, loop.validation(validation, replicas::evaluate), TrainingLoop.NonFinite.SKIP,
          listener);
    }
  }
}
