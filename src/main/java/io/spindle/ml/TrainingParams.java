package io.spindle.ml;

import org.apache.spark.sql.types.StructType;

/**
 * The Params of every training run, shared by each Estimator ({@link SpindleEstimator}) and Model
 * ({@link SpindleModel}): optimisation, validation and checkpoints. A family that builds a network of its own adds
 * {@link HasArchitecture}; a fine-tuner ({@link PolicyGradientTuner}) takes its starting model's.
 */
public interface TrainingParams extends HasOptimization, HasValidation, HasCheckpoints {
  /**
   * Checks the input columns {@code schema} must have (when {@code fitting}, also the training-only ones) and returns
   * it with the output columns appended; every error names the column and the expected type.
   */
  StructType validateAndTransformSchema(StructType schema, boolean fitting);
}
