package io.spindle.ml;

import io.spindle.train.TrainingProgress;
import java.util.Optional;

/**
 * What a fit reported about its training run, the same for every model family, like MLlib's training summaries: the
 * loss of every step, the validation evaluations, where and why training stopped, and the checkpoint it resumed
 * from. A fit resumed from a checkpoint reports the whole run, the steps before the checkpoint included. Each
 * family's summary, a record, adds what it counted in its data. Summaries are not saved with the model.
 */
public interface TrainingSummary {
  /** The run as the trainer recorded it: every step's metrics (loss, learning rate, gradient norm, throughput). */
  TrainingProgress progress();

  /** The checkpoint this fit resumed from, if it resumed. */
  Optional<String> resumedFrom();

  /** The training loss of each step's global batch, in step order (a copy); the family says of what. */
  default double[] objectiveHistory() {
    return progress().lossHistory();
  }

  /** Optimizer steps taken: maxIter, or the step at which early stopping ended training. */
  default int totalIterations() {
    return (int) progress().steps();
  }

  /** The step after which each validation evaluation ran: every validationInterval steps and the last (a copy). */
  default long[] validationSteps() {
    return progress().validationSteps();
  }

  /** The mean validation loss at each evaluation (a copy; empty without validation). */
  default double[] validationLossHistory() {
    return progress().validationLossHistory();
  }

  /** The last validation loss, NaN without validation. */
  default double finalValidationLoss() {
    double[] losses = validationLossHistory();
    return losses.length == 0 ? Double.NaN : losses[losses.length - 1];
  }

  /** The step of the lowest validation loss (by more than validationTol); 0 without validation. */
  default long bestValidationStep() {
    return progress().bestValidationStep();
  }

  /** The lowest validation loss (see {@link #bestValidationStep()}); NaN without validation. */
  default double bestValidationLoss() {
    return progress().bestValidationLoss();
  }

  /** Whether early stopping ended training before maxIter steps (the model then has the best step's weights). */
  default boolean stoppedEarly() {
    return progress().stoppedEarly();
  }

  /** Why training ended, in words: "completed all 200 steps", or the early-stopping rule and the best step. */
  default String stopReason() {
    return progress().stopReason();
  }
}
