package io.spindle.ml;

import io.spindle.train.TrainingProgress;
import java.util.Optional;

/**
 * What fitting a {@link TransformerTranslationModel} reported: the run ({@link TrainingSummary}; the loss is the
 * label-smoothed cross-entropy per target token, {@code <eos>} included, with dropout on; the validation loss is
 * the same on the validation pairs, without dropout) and how many rows were used and skipped, and why.
 *
 * @param progress the run as the trainer recorded it
 * @param resumedFrom the checkpoint the fit resumed from, if it resumed
 * @param numPairs sentence pairs trained on
 * @param numValidationPairs usable sentence pairs marked for validation; 0 without a validation indicator column
 * @param numSkippedEmpty rows skipped because the source or the target was null, empty, or had no tokens
 * @param numSkippedTooLong rows skipped because the source had more than maxSourceLength tokens or the target more
 *     than maxTargetLength
 */
public record TransformerTranslationTrainingSummary(TrainingProgress progress, Optional<String> resumedFrom,
    long numPairs, long numValidationPairs, long numSkippedEmpty, long numSkippedTooLong)
    implements TrainingSummary {
  /** All rows skipped: {@code numSkippedEmpty() + numSkippedTooLong()}. */
  public long numSkipped() {
    return numSkippedEmpty + numSkippedTooLong;
  }
}
