package io.spindle.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * How a model is optimised, shared by every model family: the Params of {@code io.spindle.train.TrainingConfig}
 * (steps, batch, optimizer, schedule and rates, micro-batches) and the bf16 gradients of the Spark aggregation.
 * {@link SpindleEstimator#trainingConfig} is the one place they map onto the config. Where the families' defaults
 * differ (maxIter, stepSize, warmupSteps, weightDecay), each sets them in its one {@code familyDefaults}.
 */
public interface HasOptimization extends SpindleParams {
  /** Optimizer steps. */
  default IntParam maxIter() {
    return declaredParams().intParam("maxIter", "number of optimizer steps (>= 1)", ParamValidators.gtEq(1));
  }

  /**
   * The peak learning rate: reached after warm-up and decayed to a tenth by the last step ({@code "cosine"}), used at
   * every step ({@code "constant"}), or the peak of the Noam schedule, at the last warm-up step ({@code "noam"}).
   */
  default DoubleParam stepSize() {
    return declaredParams().doubleParam("stepSize", "peak learning rate: after warm-up for the cosine and Noam "
        + "schedules, every step's for the constant one (> 0)", ParamValidators.gt(0));
  }

  /** The global batch of a step, over all partitions: windows (language model), rows (classifier), pairs. Default 32. */
  default IntParam batchSize() {
    return declaredParams().intParam("batchSize", "training items per optimizer step, over all partitions: "
        + "windows of blockSize tokens, rows, or sentence pairs (>= 1)", ParamValidators.gtEq(1), 32);
  }

  /** Steps of linear learning-rate warm-up (cosine and Noam schedules; the Noam schedule needs at least 1). */
  default IntParam warmupSteps() {
    return declaredParams().intParam("warmupSteps", "steps of linear learning-rate warm-up of the cosine and Noam "
        + "schedules (>= 0; >= 1 for noam)", ParamValidators.gtEq(0));
  }

  /** AdamW's decoupled weight decay, on matrices and embeddings; unused by SGD. */
  default DoubleParam weightDecay() {
    return declaredParams().doubleParam("weightDecay", "AdamW's decoupled weight decay on matrices and embeddings "
        + "(>= 0; unused by sgd)", ParamValidators.gtEq(0));
  }

  /** Seeds initialisation, batch sampling and dropout. Default 42. */
  default LongParam seed() {
    return declaredParams().longParam("seed", "random seed of initialisation, batch sampling and dropout", 42L);
  }

  /**
   * Forward/backward passes that each Spark task splits its share of a step's batch into (gradient accumulation,
   * bounding activation memory); the summed gradient is the same up to float rounding. Default 1.
   */
  default IntParam microBatches() {
    return declaredParams().intParam("microBatches", "forward/backward passes per task and step, bounding "
        + "activation memory; the gradient is the same up to float rounding (>= 1)", ParamValidators.gtEq(1), 1);
  }

  /**
   * {@code "adamw"} (PyTorch's AdamW with {@link #weightDecay()} on matrices and embeddings, betas (0.9, 0.99), the
   * translator's (0.9, 0.98) as the Transformer paper) or {@code "sgd"} (SGD with {@link #momentum()}, no weight
   * decay). Default {@code "adamw"}.
   */
  default Param<String> optimizer() {
    return declaredParams().choiceParam("optimizer", "optimizer: 'adamw' (AdamW with weightDecay) or 'sgd' (SGD "
        + "with momentum, no weight decay)", "adamw", "adamw", "sgd");
  }

  /**
   * The learning-rate schedule: {@code "cosine"} (linear warm-up, then cosine decay to stepSize / 10 by the last
   * step, nanoGPT's), {@code "constant"} (stepSize at every step, no warm-up) or {@code "noam"} ("Attention Is All You
   * Need": linear warm-up, then decay as 1/sqrt(step), scaled so that the peak, at step warmupSteps, is stepSize).
   * Default {@code "cosine"}.
   */
  default Param<String> schedule() {
    return declaredParams().choiceParam("schedule", "learning-rate schedule: 'cosine' (warm-up, then cosine decay "
        + "to stepSize / 10), 'constant' (stepSize throughout) or 'noam' (warm-up, then decay as 1/sqrt(step), peak "
        + "stepSize)", "cosine", "cosine", "constant", "noam");
  }

  /** SGD's momentum, 0 for plain gradient descent; unused by AdamW. Default 0.9. */
  default DoubleParam momentum() {
    return declaredParams().doubleParam("momentum", "SGD's momentum, in [0, 1) (0 = plain gradient descent; "
        + "unused by adamw)", ParamValidators.inRange(0, 1, true, false), 0.9);
  }

  /** The global gradient-norm clip, 0 = none. Default 1.0. */
  default DoubleParam gradClip() {
    return declaredParams().doubleParam("gradClip", "global gradient-norm clip (>= 0; 0 = none)",
        ParamValidators.gtEq(0), 1.0);
  }

  /**
   * Send gradients as bfloat16 in the Spark aggregation: half the bytes on the wire, about 3 significant digits per
   * element, rounded at every level of the aggregation tree. Default false.
   */
  default BooleanParam bf16Gradients() {
    return declaredParams().booleanParam("bf16Gradients", "send gradients as bfloat16 in the Spark aggregation: "
        + "half the bytes, about 3 significant digits", false);
  }
}
