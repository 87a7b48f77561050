package io.spindle.ml;

import io.spindle.train.TrainingProgress;
import java.util.Optional;

/**
 * What fitting a {@link TransformerClassificationModel} reported, like MLlib's
 * {@code LogisticRegressionTrainingSummary}: the run ({@link TrainingSummary}; the loss is the mean cross-entropy of
 * a step's examples), the validation accuracies, and how many rows were used and skipped.
 *
 * @param progress the run as the trainer recorded it
 * @param resumedFrom the checkpoint the fit resumed from, if it resumed
 * @param numExamples training rows with token ids (validation rows not included)
 * @param numValidationExamples validation rows with token ids; 0 without a validation indicator column
 * @param numSkipped rows skipped because their ids were null or empty (training and validation rows)
 */
public record TransformerClassificationTrainingSummary(TrainingProgress progress, Optional<String> resumedFrom,
    long numExamples, long numValidationExamples, long numSkipped) implements TrainingSummary {
  /** The accuracy on the validation rows at each evaluation (a copy; empty without validation). */
  public double[] validationAccuracyHistory() {
    return progress.validationAccuracyHistory();
  }
}
