package io.spindle.bench;

import io.spindle.nn.GptConfig;
import io.spindle.train.TrainingConfig;

/**
 * What one row of {@link SparkTrainBench} trains: a GPT config (vocabulary 256, bias on, dropout 0), the windows per
 * micro-batch and the number of micro-batches, whose product is the global batch of a step.
 *
 * <ul>
 *   <li>{@code A}: C 128, 4 layers, 4 heads, context 128, 32 windows per micro-batch ({@code gpt_ref.py}'s A);</li>
 *   <li>{@code B}: C 256, 6 layers, 8 heads, context 256, 16 windows per micro-batch ({@code gpt_ref.py}'s B);</li>
 *   <li>{@code 1M}, {@code 10M}, {@code 50M}: C 128 / 384 / 768, 5 / 6 / 7 layers, 4 / 6 / 12 heads, context 64,
 *       a global batch of 2 windows, for the per-step overhead at growing model sizes.</li>
 * </ul>
 *
 * @param name the row's name
 * @param model the model config
 * @param batchSize windows per micro-batch
 * @param microBatches micro-batches per step
 */
record BenchSetup(String name, GptConfig model, int batchSize, int microBatches) {
  private static final int VOCAB = 256;

  /** Config {@code A} or {@code B} with {@code microBatches} micro-batches of the config's batch per step. */
  static BenchSetup config(String name, int microBatches) {
    switch (name) {
      case "A":
        return new BenchSetup(name, gpt(128, 128, 4, 4), 32, microBatches);
      case "B":
        return new BenchSetup(name, gpt(256, 256, 6, 8), 16, microBatches);
      default:
        throw new IllegalArgumentException("--configs: a config is A or B, got '" + name + "'");
    }
  }

  /** The overhead row of about {@code size} parameters: 1M, 10M or 50M. */
  static BenchSetup size(String size) {
    switch (size) {
      case "1M":
        return new BenchSetup(size, gpt(64, 128, 5, 4), 2, 1);
      case "10M":
        return new BenchSetup(size, gpt(64, 384, 6, 6), 2, 1);
      case "50M":
        return new BenchSetup(size, gpt(64, 768, 7, 12), 2, 1);
      default:
        throw new IllegalArgumentException("--overhead-sizes: a size is 1M, 10M or 50M, got '" + size + "'");
    }
  }

  private static GptConfig gpt(int context, int width, int layers, int heads) {
    return new GptConfig(VOCAB, context, layers, heads, width, 0.0, true);
  }

  /** Windows per step. */
  int globalBatch() {
    return batchSize * microBatches;
  }

  /** Target tokens per step. */
  long tokensPerStep() {
    return (long) globalBatch() * model.blockSize();
  }

  /**
   * {@code steps} steps at this global batch in {@code microBatches} micro-batches per thread or task: AdamW (0.9, 0.99), lr 1e-3 after 5 warm-up steps decaying to 1e-4,
   * weight decay 0.1, clip 1, no evaluation, seed {@code seed}.
   */
  TrainingConfig training(int steps, long seed) {
    return TrainingConfig.builder().steps(steps).batchSize(globalBatch()).microBatches(microBatches())
        .learningRate(1e-3).minLearningRate(1e-4).warmupSteps(Math.min(5, steps)).seed(seed).build();
  }
}
