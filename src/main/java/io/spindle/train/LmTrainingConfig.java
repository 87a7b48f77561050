package io.spindle.train;

/**
 * Optimisation settings of a language-model training run, validated once.
 *
 * @param steps optimizer steps to take
 * @param batchSize sequences per step (B); each is {@code blockSize} tokens
 * @param learningRate peak learning rate, reached after warm-up
 * @param minLearningRate the rate cosine decay ends at (at the last step)
 * @param warmupSteps steps of linear warm-up from 0
 * @param weightDecay AdamW's decoupled weight decay, applied to matrices and embeddings only
 * @param beta1 AdamW's first-moment decay
 * @param beta2 AdamW's second-moment decay
 * @param gradClip global gradient-norm clip; 0 disables clipping
 * @param seed seeds initialisation, batch sampling and dropout
 * @param evalEvery evaluate the validation loss every this many steps (and after the last); 0 only at the end
 * @param evalBatches validation batches per evaluation at most (the last evaluation uses the whole split); 0 = all
 * @param maxSeconds stop after this much wall-clock time even if steps remain; 0 = no limit
 * @param decayOverTime pace the cosine decay by wall-clock time as well as by steps (needs {@code maxSeconds > 0}):
 *     after warm-up its progress is the larger of the step fraction and the fraction of the remaining time used, so
 *     the rate reaches {@code minLearningRate} when the time limit or the last step comes, whichever is first. For
 *     "train for N minutes" on a machine whose speed is not known in advance; the rates then depend on that speed,
 *     so such a run is not reproducible bit for bit.
 */
public record LmTrainingConfig(int steps, int batchSize, double learningRate, double minLearningRate,
    int warmupSteps, double weightDecay, double beta1, double beta2, double gradClip, long seed, int evalEvery,
    int evalBatches, double maxSeconds, boolean decayOverTime) {

  public LmTrainingConfig {
    check(steps > 0, "steps must be positive, got " + steps);
    check(batchSize > 0, "batch size must be positive, got " + batchSize);
    check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be positive, got " + learningRate);
    check(minLearningRate >= 0 && minLearningRate <= learningRate,
        "min learning rate must be in [0, lr], got " + minLearningRate);
    check(warmupSteps >= 0, "warmup steps must be >= 0, got " + warmupSteps);
    check(weightDecay >= 0, "weight decay must be >= 0, got " + weightDecay);
    check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1), got " + beta1 + ", " + beta2);
    check(gradClip >= 0, "gradient clip must be >= 0, got " + gradClip);
    check(evalEvery >= 0 && evalBatches >= 0, "eval settings must be >= 0");
    check(maxSeconds >= 0, "max seconds must be >= 0, got " + maxSeconds);
    check(!decayOverTime || maxSeconds > 0, "decay over time needs a time limit (max seconds > 0)");
  }

  /** A config whose decay is paced by steps only. */
  public LmTrainingConfig(int steps, int batchSize, double learningRate, double minLearningRate, int warmupSteps,
      double weightDecay, double beta1, double beta2, double gradClip, long seed, int evalEvery, int evalBatches,
      double maxSeconds) {
    this(steps, batchSize, learningRate, minLearningRate, warmupSteps, weightDecay, beta1, beta2, gradClip, seed,
        evalEvery, evalBatches, maxSeconds, false);
  }

  /** nanoGPT's Shakespeare-char recipe scaled to a laptop: AdamW (0.9, 0.99), lr 1e-3 → 1e-4, clip 1.0. */
  public static LmTrainingConfig defaults() {
    return new LmTrainingConfig(600, 32, 1e-3, 1e-4, 100, 0.1, 0.9, 0.99, 1.0, 1337, 100, 20, 0);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("training config: " + message);
    }
  }
}
