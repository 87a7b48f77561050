package io.spindle.rl;

/**
 * Group-baseline advantages: each completion's reward minus the mean reward of the K completions of its prompt
 * (GRPO's baseline; RLOO's leave-one-out baseline gives K/(K-1) times the same numbers), optionally divided by the
 * group's standard deviation.
 *
 * <p>Why a baseline: for any b that does not depend on the completion, {@code E[b grad log pi(y)] = b grad sum_y
 * pi(y) = 0}, so subtracting it leaves the policy gradient's expectation unchanged while removing most of its
 * variance. The group mean includes the completion's own reward, which scales the expected gradient by
 * {@code (K-1)/K} (a constant the learning rate absorbs) and makes every group's advantages sum to exactly 0.
 */
final class Advantages {
  /** Added to the standard deviation, so a group of equal rewards divides 0 by a positive number. */
  static final double EPSILON = 1e-6;

  private Advantages() {}

  /**
   * The advantages of {@code rewards}, groups of {@code k} consecutive ones. The mean is taken as
   * {@code r_0 + sum_i (r_i - r_0) / k}, so a group of equal rewards has a mean equal to them and advantages of
   * exactly 0 (a plain sum divided by k can miss by a rounding: 0.1 + 0.1 + 0.1 is not 3 * 0.1).
   */
  static double[] of(double[] rewards, int k, boolean normalize) {
    if (rewards.length % k != 0) {
      throw new IllegalArgumentException("advantages: " + rewards.length + " rewards are not groups of " + k);
    }
    double[] advantages = new double[rewards.length];
    for (int start = 0; start < rewards.length; start += k) {
      double first = rewards[start];
      double shift = 0;
      for (int i = start; i < start + k; i++) {
        shift += rewards[i] - first;
      }
      double mean = first + shift / k;
      double variance = 0;
      for (int i = start; i < start + k; i++) {
        advantages[i] = rewards[i] - mean;
        variance += advantages[i] * advantages[i];
      }
      if (normalize) {
        double scale = 1 / (Math.sqrt(variance / k) + EPSILON);
        for (int i = start; i < start + k; i++) {
          advantages[i] *= scale;
        }
      }
    }
    return advantages;
  }
}
