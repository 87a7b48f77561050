package io.spindle.train;

/**
 * What one training step reports; one line of {@code metrics.jsonl}.
 *
 * @param step 1-based index of the step just taken
 * @param loss mean training loss per token of this step's batch
 * @param learningRate rate used by this step
 * @param tokensPerSecond training tokens per second, averaged over the run so far (evaluation time excluded)
 * @param elapsedSeconds wall-clock seconds since training started
 * @param gradNorm global gradient norm before clipping
 * @param validationLoss mean validation loss per token if evaluated after this step, else NaN
 */
public record StepMetrics(long step, double loss, double learningRate, double tokensPerSecond, double elapsedSeconds,
    double gradNorm, double validationLoss) {

  public boolean evaluated() {
    return !Double.isNaN(validationLoss);
  }
}
