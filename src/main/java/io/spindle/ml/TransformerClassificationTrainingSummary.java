package io.spindle.ml;

/**
 * What training a {@link TransformerClassificationModel} reported, like MLlib's
 * {@code LogisticRegressionTrainingSummary}: the loss history and how many rows were used and skipped. Not saved
 * with the model.
 */
public final class TransformerClassificationTrainingSummary {
  private final double[] lossHistory;
  private final long numExamples;
  private final long numSkipped;

  TransformerClassificationTrainingSummary(double[] lossHistory, long numExamples, long numSkipped) {
    this.lossHistory = lossHistory.clone();
    this.numExamples = numExamples;
    this.numSkipped = numSkipped;
  }

  /** The mean cross-entropy of each step's global batch, in step order (a copy). */
  public double[] objectiveHistory() {
    return lossHistory.clone();
  }

  /** Optimizer steps taken. */
  public int totalIterations() {
    return lossHistory.length;
  }

  /** Training rows with token ids. */
  public long numExamples() {
    return numExamples;
  }

  /** Training rows skipped because their ids were null or empty. */
  public long numSkipped() {
    return numSkipped;
  }
}
