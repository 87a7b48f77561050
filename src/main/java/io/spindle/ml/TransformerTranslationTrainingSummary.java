package io.spindle.ml;

/**
 * What training a {@link TransformerTranslationModel} reported, like MLlib's training summaries: the loss history
 * and how many rows were used and skipped, and why. Not saved with the model.
 */
public final class TransformerTranslationTrainingSummary {
  private final double[] lossHistory;
  private final long numPairs;
  private final long numSkippedEmpty;
  private final long numSkippedTooLong;

  TransformerTranslationTrainingSummary(double[] lossHistory, long numPairs, long numSkippedEmpty,
      long numSkippedTooLong) {
    this.lossHistory = lossHistory.clone();
    this.numPairs = numPairs;
    this.numSkippedEmpty = numSkippedEmpty;
    this.numSkippedTooLong = numSkippedTooLong;
  }

  /**
   * The training loss of each step, in step order (a copy): the label-smoothed cross-entropy per target token
   * ({@code <eos>} included) of the step's global batch, with dropout on.
   */
  public double[] objectiveHistory() {
    return lossHistory.clone();
  }

  /** Optimizer steps taken. */
  public int totalIterations() {
    return lossHistory.length;
  }

  /** Sentence pairs trained on. */
  public long numPairs() {
    return numPairs;
  }

  /** Rows skipped because the source or the target was null, empty, or had no tokens. */
  public long numSkippedEmpty() {
    return numSkippedEmpty;
  }

  /** Rows skipped because the source had more than maxSourceLength tokens or the target more than maxTargetLength. */
  public long numSkippedTooLong() {
    return numSkippedTooLong;
  }

  /** All rows skipped: {@code numSkippedEmpty() + numSkippedTooLong()}. */
  public long numSkipped() {
    return numSkippedEmpty + numSkippedTooLong;
  }
}
