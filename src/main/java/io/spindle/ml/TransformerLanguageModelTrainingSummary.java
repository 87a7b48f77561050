package io.spindle.ml;

/**
 * What training a {@link TransformerLanguageModelModel} reported, like MLlib's training summaries: the loss of
 * every step, the validation losses where they were evaluated, and how much of the data was used. Not saved with
 * the model.
 */
public final class TransformerLanguageModelTrainingSummary {
  private final double[] lossHistory;
  private final long[] validationSteps;
  private final double[] validationHistory;
  private final long numRows;
  private final long numSkipped;
  private final long numTrainingTokens;
  private final long numValidationTokens;

  TransformerLanguageModelTrainingSummary(double[] lossHistory, long[] validationSteps, double[] validationHistory,
      long numRows, long numSkipped, long numTrainingTokens, long numValidationTokens) {
    this.lossHistory = lossHistory.clone();
    this.validationSteps = validationSteps.clone();
    this.validationHistory = validationHistory.clone();
    this.numRows = numRows;
    this.numSkipped = numSkipped;
    this.numTrainingTokens = numTrainingTokens;
    this.numValidationTokens = numValidationTokens;
  }

  /** The mean next-token cross-entropy (nats) of each step's global batch, in step order (a copy). */
  public double[] objectiveHistory() {
    return lossHistory.clone();
  }

  /** Optimizer steps taken. */
  public int totalIterations() {
    return lossHistory.length;
  }

  /** The 1-based steps after which the validation loss was evaluated, in order (a copy; empty without validation). */
  public long[] validationSteps() {
    return validationSteps.clone();
  }

  /** The mean validation loss (nats per token) after each of {@link #validationSteps()} (a copy). */
  public double[] validationHistory() {
    return validationHistory.clone();
  }

  /** The last validation loss, NaN without validation (no validation fraction, or a tail of fewer than 2 tokens). */
  public double finalValidationLoss() {
    return validationHistory.length == 0 ? Double.NaN : validationHistory[validationHistory.length - 1];
  }

  /** Training rows with text. */
  public long numRows() {
    return numRows;
  }

  /** Training rows skipped because their text was null. */
  public long numSkipped() {
    return numSkipped;
  }

  /** Tokens of the training stream (the validation tail excluded). */
  public long numTrainingTokens() {
    return numTrainingTokens;
  }

  /** Tokens held out for validation, the stream's tail. */
  public long numValidationTokens() {
    return numValidationTokens;
  }
}
