package io.spindle.rl;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What policy-gradient fine-tuning samples and how it weighs the KL term, validated once; the optimisation itself
 * (steps, prompts per step, learning rate, clipping, optimizer) is the shared {@code io.spindle.train.TrainingConfig}.
 *
 * @param samples K, completions drawn per prompt; at least 2, since each completion's baseline is the mean reward
 *     of its prompt's group, which with one completion is its own reward
 * @param klWeight beta >= 0, the weight of the KL penalty to the reference model
 * @param maxNewTokens the longest completion, in tokens (>= 1); a prompt is cut to its last
 *     {@code blockSize - maxNewTokens} tokens so that prompt and completion fit the model's context together
 * @param stopToken the token that ends a completion (it counts as the completion's last token, its probability
 *     trained like any other's, but the reward does not see it), or -1 for none: every completion is then
 *     {@code maxNewTokens} long
 * @param normalizeAdvantages whether each advantage is also divided by the standard deviation of its group's rewards
 *     (GRPO's scaling), which gives every prompt's group the same weight however spread its rewards are
 */
public record PolicyGradientConfig(int samples, double klWeight, int maxNewTokens, int stopToken,
    boolean normalizeAdvantages) implements Serializable {
  private static final long serialVersionUID = 1L;

  public PolicyGradientConfig {
    if (samples < 2) {
      throw new IllegalArgumentException("policy gradient: samples per prompt must be >= 2 (the baseline is the "
          + "mean of a prompt's samples), got " + samples);
    }
    if (!(klWeight >= 0 && Double.isFinite(klWeight))) {
      throw new IllegalArgumentException("policy gradient: the KL weight must be finite and >= 0, got " + klWeight);
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("policy gradient: max new tokens must be >= 1, got " + maxNewTokens);
    }
    if (stopToken < -1) {
      throw new IllegalArgumentException("policy gradient: the stop token must be a token id or -1, got "
          + stopToken);
    }
  }

  /** The last {@code blockSize - maxNewTokens} tokens of {@code prompt}: what the model continues. */
  public int[] cut(int[] prompt, int blockSize) {
    int keep = blockSize - maxNewTokens;
    return prompt.length <= keep ? prompt : Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
  }
}
