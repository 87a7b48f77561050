package io.spindle.spark;

import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.optim.AdamW;
import io.spindle.train.BatchGradient;
import io.spindle.train.LmTrainer;
import io.spindle.train.LmTrainingConfig;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingLoop;
import java.io.IOException;

/**
 * Trains an {@link EncoderDecoder} data-parallel on Spark with the other trainers' machinery: each step one
 * {@link DataParallelStep} (broadcast the flat weights, {@code treeAggregate} of {@link TranslationStepTask}s over
 * the cached {@link SparkTranslationPairs}, destroy the broadcast), then {@link TrainingLoop}'s update on the driver
 * (divide by the step's target-token count, so the loss is the per-target-token mean of the label-smoothed
 * cross-entropy; clip; AdamW at the warm-up/cosine rate; skip or stop on a non-finite loss or gradient).
 *
 * <p>The global batch of step s is {@code config.batchSize()} pairs drawn with replacement by
 * {@code GlobalBatch.examples(seed, s, B, N)} over the global pair index, so every partitioning trains on the same
 * pairs; sums in float make partitionings agree to rounding, not to the bit (see {@link SparkLmTrainer}). Label
 * smoothing is the model config's. Checkpoints are not written for translation models yet: options with a
 * checkpoint directory are refused.
 */
public final class SparkTranslationTrainer {
  private final TrainingLoop loop;
  private final EncoderDecoder model;
  private final EncoderDecoderSpec spec;
  private final SparkTrainingOptions options;

  /**
   * A trainer of {@code model}, whose batches use the {@code <pad>} of each tokenizer and the target's
   * {@code <bos>} and {@code <eos>} (all must exist and lie inside the model's vocabularies).
   */
  public SparkTranslationTrainer(EncoderDecoder model, Tokenizer sourceTokenizer, Tokenizer targetTokenizer,
      LmTrainingConfig config, SparkTrainingOptions options) {
    if (options.checkpointDir() != null) {
      throw new IllegalArgumentException("Spark translation trainer: checkpoints are not supported yet (got "
          + options.checkpointDir() + ")");
    }
    this.spec = EncoderDecoderSpec.of(model.config(), sourceTokenizer, targetTokenizer);
    this.loop = new TrainingLoop(model.parameters(), config);
    this.model = model;
    this.options = options;
  }

  public AdamW optimizer() {
    return loop.optimizer();
  }

  /**
   * Trains on {@code data}; {@code validation} (null for none) is evaluated as {@link TrainingLoop} says. Returns
   * the metrics of the last step; {@code tokensPerSecond} in them counts target tokens.
   */
  public StepMetrics train(SparkTranslationPairs data, TrainingLoop.Validation validation,
      LmTrainer.Listener listener) throws IOException {
    EncoderDecoderConfig c = model.config();
    if (data.sourceVocabSize() > c.sourceVocabSize() || data.targetVocabSize() > c.targetVocabSize()) {
      throw new IllegalArgumentException("translation pairs were checked for source vocabulary "
          + data.sourceVocabSize() + " and target vocabulary " + data.targetVocabSize()
          + "; the model has source_vocab_size " + c.sourceVocabSize() + " and target_vocab_size "
          + c.targetVocabSize());
    }
    LmTrainingConfig config = loop.config();
    long[] offsets = data.offsets();
    int depth = options.depthFor(data.partitions());
    boolean bf16 = options.compressGradients();
    EncoderDecoderSpec modelSpec = spec;
    TrainingLoop.GradientSource source = step -> {
      TranslationStepTask.Spec taskSpec = new TranslationStepTask.Spec(modelSpec, config.seed(), step,
          config.batchSize(), data.count(), offsets, options.microBatches(), bf16);
      GradientSum sum = DataParallelStep.run("translation training step " + (step + 1), data.chunks(),
          model.parameters(), depth, bf16, weights -> new TranslationStepTask(weights, taskSpec));
      if (sum.tokens() < config.batchSize()) {
        throw new IllegalStateException("step " + (step + 1) + ": the tasks summed " + sum.tokens()
            + " target tokens for " + config.batchSize() + " pairs (each has at least its <eos>)");
      }
      return new BatchGradient.Result(sum.lossSum(), sum.tokens());
    };
    return loop.run(0, source, validation, options.nonFinite(), listener);
  }
}
