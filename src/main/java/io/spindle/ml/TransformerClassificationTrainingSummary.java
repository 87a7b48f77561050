package io.spindle.ml;

import io.spindle.train.TrainingProgress;
import java.util.Optional;

/**
 * What training a {@link TransformerClassificationModel} reported, like MLlib's
 * {@code LogisticRegressionTrainingSummary}: the loss history, the validation evaluations (with a validation
 * indicator column), where and why training stopped, and how many rows were used and skipped. Not saved with the
 * model. A fit resumed from a checkpoint reports the whole run, the steps before the checkpoint included.
 */
public final class TransformerClassificationTrainingSummary {
  private final double[] lossHistory;
  private final long[] validationSteps;
  private final double[] validationLosses;
  private final double[] validationAccuracies;
  private final long bestValidationStep;
  private final double bestValidationLoss;
  private final boolean stoppedEarly;
  private final String stopReason;
  private final long numExamples;
  private final long numValidationExamples;
  private final long numSkipped;
  private final String resumedFrom;

  TransformerClassificationTrainingSummary(TrainingProgress progress, long numExamples, long numValidationExamples,
      long numSkipped, String resumedFrom) {
    this.lossHistory = progress.lossHistory();
    this.validationSteps = progress.validationSteps();
    this.validationLosses = progress.validationLossHistory();
    this.validationAccuracies = progress.validationAccuracyHistory();
    this.bestValidationStep = progress.bestValidationStep();
    this.bestValidationLoss = progress.bestValidationLoss();
    this.stoppedEarly = progress.stoppedEarly();
    this.stopReason = progress.stopReason();
    this.numExamples = numExamples;
    this.numValidationExamples = numValidationExamples;
    this.numSkipped = numSkipped;
    this.resumedFrom = resumedFrom;
  }

  /** The mean cross-entropy of each step's global batch, in step order (a copy). */
  public double[] objectiveHistory() {
    return lossHistory.clone();
  }

  /** Optimizer steps taken: maxIter, or the step at which early stopping ended training. */
  public int totalIterations() {
    return lossHistory.length;
  }

  /** The step after which each validation evaluation ran: every validationInterval steps and the last (a copy). */
  public long[] validationSteps() {
    return validationSteps.clone();
  }

  /** The mean cross-entropy on the validation rows at each evaluation (a copy; empty without validation). */
  public double[] validationLossHistory() {
    return validationLosses.clone();
  }

  /** The accuracy on the validation rows at each evaluation (a copy; empty without validation). */
  public double[] validationAccuracyHistory() {
    return validationAccuracies.clone();
  }

  /** The step of the lowest validation loss (by more than validationTol); 0 without validation. */
  public long bestValidationStep() {
    return bestValidationStep;
  }

  /** The lowest validation loss (see {@link #bestValidationStep()}); NaN without validation. */
  public double bestValidationLoss() {
    return bestValidationLoss;
  }

  /** Whether early stopping ended training before maxIter steps (the model then has the best step's weights). */
  public boolean stoppedEarly() {
    return stoppedEarly;
  }

  /** Why training ended, in words: "completed all 200 steps", or the early-stopping rule and the best step. */
  public String stopReason() {
    return stopReason;
  }

  /** Training rows with token ids (validation rows not included). */
  public long numExamples() {
    return numExamples;
  }

  /** Validation rows with token ids; 0 without a validation indicator column. */
  public long numValidationExamples() {
    return numValidationExamples;
  }

  /** Rows skipped because their ids were null or empty (training and validation rows). */
  public long numSkipped() {
    return numSkipped;
  }

  /** The checkpoint this fit resumed from, if it resumed. */
  public Optional<String> resumedFrom() {
    return Optional.ofNullable(resumedFrom);
  }
}
