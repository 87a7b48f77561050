package io.spindle.spark;

import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
import io.spindle.optim.AdamW;
import io.spindle.train.BatchGradient;
import io.spindle.train.LmTrainer;
import io.spindle.train.LmTrainingConfig;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingLoop;
import java.io.IOException;

/**
 * Trains an {@link EncoderClassifier} data-parallel on Spark, with the language-model trainer's machinery: each step
 * one {@link DataParallelStep} (broadcast, {@code treeAggregate} of {@link ClassifierStepTask}s, destroy), then
 * {@link TrainingLoop}'s update on the driver (divide by the example count, clip, AdamW at the warm-up/cosine rate,
 * skip or stop on a non-finite loss or gradient).
 *
 * <p>The global batch of step s is {@code config.batchSize()} examples drawn with replacement by
 * {@code GlobalBatch.examples(seed, s, B, N)} over the global example index, so every partitioning trains on the same
 * examples; sums in float make partitionings agree to rounding, not to the bit (see {@link SparkLmTrainer}).
 * Checkpoints are not written for classifiers yet: options with a checkpoint directory are refused.
 */
public final class SparkClassifierTrainer {
  private final TrainingLoop loop;
  private final EncoderClassifier model;
  private final SparkTrainingOptions options;

  public SparkClassifierTrainer(EncoderClassifier model, LmTrainingConfig config, SparkTrainingOptions options) {
    if (options.checkpointDir() != null) {
      throw new IllegalArgumentException("Spark classifier trainer: checkpoints are not supported yet (got "
          + options.checkpointDir() + ")");
    }
    this.loop = new TrainingLoop(model.parameters(), config);
    this.model = model;
    this.options = options;
  }

  public AdamW optimizer() {
    return loop.optimizer();
  }

  /**
   * Trains on {@code data}; {@code validation} (null for none) is evaluated as {@link TrainingLoop} says. Returns
   * the metrics of the last step; {@code tokensPerSecond} in them counts examples.
   */
  public StepMetrics train(SparkExamples data, TrainingLoop.Validation validation, LmTrainer.Listener listener)
      throws IOException {
    EncoderConfig modelConfig = model.config();
    LmTrainingConfig config = loop.config();
    if (data.vocabSize() > modelConfig.vocabSize() || data.numClasses() != modelConfig.numClasses()) {
      throw new IllegalArgumentException("training examples were checked for vocabulary " + data.vocabSize()
          + " and " + data.numClasses() + " classes; the model has vocab_size " + modelConfig.vocabSize()
          + " and num_classes " + modelConfig.numClasses());
    }
    EncoderSpec spec = EncoderSpec.of(modelConfig);
    long[] offsets = data.offsets();
    int depth = options.depthFor(data.partitions());
    boolean bf16 = options.compressGradients();
    TrainingLoop.GradientSource source = step -> {
      ClassifierStepTask.Spec taskSpec = new ClassifierStepTask.Spec(spec, config.seed(), step, config.batchSize(),
          data.count(), offsets, options.microBatches(), bf16);
      GradientSum sum = DataParallelStep.run("classifier training step " + (step + 1), data.chunks(),
          model.parameters(), depth, bf16, weights -> new ClassifierStepTask(weights, taskSpec));
      if (sum.tokens() != config.batchSize()) {
        throw new IllegalStateException("step " + (step + 1) + ": the tasks summed " + sum.tokens()
            + " examples, expected " + config.batchSize());
      }
      return new BatchGradient.Result(sum.lossSum(), sum.tokens());
    };
    return loop.run(0, source, validation, options.nonFinite(), listener);
  }
}
