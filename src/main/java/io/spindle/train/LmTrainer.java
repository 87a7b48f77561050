package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.optim.AdamW;
import java.io.IOException;

/**
 * Trains a {@link Gpt} in this JVM: the reference the Spark trainer reproduces, and the laptop experience.
 *
 * <p>The step is {@link TrainingLoop}'s, the batch {@link GlobalBatch}'s: B windows of the training tokens at starts
 * that are a pure function of (seed, step, window), forward and backward as one batch. A step whose gradient is not
 * finite is skipped with a warning.
 */
public final class LmTrainer {
  private final TrainingLoop loop;

  /** Receives each step's metrics, in order. */
  @FunctionalInterface
  public interface Listener {
    void onStep(StepMetrics metrics) throws IOException;
  }

  public LmTrainer(Gpt model, LmTrainingConfig config) {
    this.loop = new TrainingLoop(model, config);
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
    Graph graph = Graph.training();
    TrainingLoop.GradientSource source = step -> {
      long[] starts = GlobalBatch.starts(config.seed(), step, config.batchSize(), trainTokens.length, blockSize);
      Batch batch = GlobalBatch.gather(trainTokens, 0, starts, all, 0, all.length, blockSize);
      return BatchGradient.accumulate(model, graph, batch, GlobalBatch.dropoutSeed(config.seed(), step, 0));
    };
    return loop.run(0, source, TrainingLoop.validationBatches(validationTokens, blockSize, config.batchSize()),
        TrainingLoop.NonFinite.SKIP, listener);
  }
}
