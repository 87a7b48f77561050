package io.spindle.ml;

import io.spindle.train.TrainingProgress;
import java.util.Optional;

/**
 * What fitting a {@link TransformerLMModel} reported: the run ({@link TrainingSummary}; the loss is the mean
 * next-token cross-entropy in nats, the validation loss that of the held-out tail, per token) and how much of the
 * data was used.
 *
 * @param progress the run as the trainer recorded it
 * @param resumedFrom the checkpoint the fit resumed from, if it resumed
 * @param numRows training rows with text
 * @param numSkipped training rows skipped because their text was null
 * @param numTrainingTokens tokens of the training stream (the validation tail excluded)
 * @param numValidationTokens tokens held out for validation, the stream's tail
 */
public record TransformerLMTrainingSummary(TrainingProgress progress, Optional<String> resumedFrom, long numRows,
    long numSkipped, long numTrainingTokens, long numValidationTokens) implements TrainingSummary {}
