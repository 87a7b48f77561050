package io.spindle.ml;

import org.apache.spark.sql.types.StructType;

/**
 * The Params every trainable model family has, shared by its Estimator ({@link SpindleEstimator}) and Model
 * ({@link SpindleModel}): architecture, optimisation, validation and checkpoints.
 */
public interface TrainingParams extends HasArchitecture, HasOptimization, HasValidation, HasCheckpoints {
  /**
   * Checks the input columns {@code schema} must have (when {@code fitting}, also the training-only ones) and returns
   * it with the output columns appended; every error names the column and the expected type.
   */
  StructType validateAndTransformSchema(StructType schema, boolean fitting);
}
