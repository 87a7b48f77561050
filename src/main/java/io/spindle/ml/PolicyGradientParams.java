package io.spindle.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The Params of {@link PolicyGradientTuner}: the prompt column, what is sampled (K completions of at most
 * maxNewTokens tokens, an optional stop token), how the KL penalty and the advantages weigh, and the reward; with the
 * optimisation, validation and checkpoint Params every training run shares. They map onto
 * {@code io.spindle.rl.PolicyGradientConfig} in {@link PolicyGradientTuner#policyGradientConfig}.
 *
 * @param <S> the stage, which the setters return
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface PolicyGradientParams<S> extends TrainingParams, HasValidationIndicatorCol.Setters<S> {
  /** Prompt column (string): each non-empty row one prompt. Default {@code "prompt"}. */
  default Param<String> promptCol() {
    return declaredParams().stringParam("promptCol", "prompt column (string): each non-null, non-empty row is one "
        + "prompt", "prompt");
  }

  default String getPromptCol() {
    return getOrDefault(promptCol());
  }

  default S setPromptCol(String value) {
    return (S) set(promptCol(), value);
  }

  /** K, completions sampled per prompt and step; each one's baseline is its group's mean reward. Default 8. */
  default IntParam samplesPerPrompt() {
    return declaredParams().intParam("samplesPerPrompt", "K, completions sampled per prompt and step; each one's "
        + "baseline is the mean reward of its prompt's K (>= 2)", ParamValidators.gtEq(2), 8);
  }

  default S setSamplesPerPrompt(int value) {
    return (S) set(samplesPerPrompt(), value);
  }

  /** beta, the weight of the per-token KL penalty (estimator k3) to the starting model. Default 0.05. */
  default DoubleParam klWeight() {
    return declaredParams().doubleParam("klWeight", "beta, the weight of the per-token KL penalty to the starting "
        + "model (>= 0)", ParamValidators.gtEq(0), 0.05);
  }

  default S setKlWeight(double value) {
    return (S) set(klWeight(), value);
  }

  /** The longest completion, in tokens; prompts are cut to their last blockSize - maxNewTokens tokens. Default 48. */
  default IntParam maxNewTokens() {
    return declaredParams().intParam("maxNewTokens", "tokens generated per prompt: the longest completion; prompts "
        + "are cut to their last blockSize - maxNewTokens tokens (>= 1)", ParamValidators.gtEq(1), 48);
  }

  default S setMaxNewTokens(int value) {
    return (S) set(maxNewTokens(), value);
  }

  /** A token of the model's vocabulary that ends a completion (e.g. a newline). No default: none. */
  default Param<String> stopToken() {
    return declaredParams().stringParam("stopToken", "a token of the starting model's vocabulary that ends a "
        + "completion (e.g. a newline); unset or empty: every completion is maxNewTokens long", null);
  }

  default S setStopToken(String value) {
    return (S) set(stopToken(), value);
  }

  /** Divide each advantage by its group's reward standard deviation (GRPO's scaling). Default false. */
  default BooleanParam normalizeAdvantages() {
    return declaredParams().booleanParam("normalizeAdvantages", "divide each advantage by the standard deviation "
        + "of its group's rewards (GRPO's scaling)", false);
  }

  default S setNormalizeAdvantages(boolean value) {
    return (S) set(normalizeAdvantages(), value);
  }

  /**
   * The reward as a spec of {@code io.spindle.rl.Rewards}: {@code vowels}, {@code match:REGEX},
   * {@code length:MIN-MAX} or {@code classifier:DIR:CLASS}. No default; unset when a reward model is given
   * ({@link PolicyGradientTuner#setRewardModel}).
   */
  default Param<String> reward() {
    return declaredParams().stringParam("reward", "the reward of a completion: vowels, match:REGEX, "
        + "length:MIN-MAX or classifier:DIR:CLASS; leave unset when a reward model is given", null);
  }

  default S setReward(String value) {
    return (S) set(reward(), value);
  }

  /** With a reward model: the class c whose probability is the reward. Default 1 (a binary classifier's positive). */
  default IntParam rewardClass() {
    return declaredParams().intParam("rewardClass", "with a reward model: the class whose probability of prompt + "
        + "completion is the reward (>= 0)", ParamValidators.gtEq(0), 1);
  }

  default S setRewardClass(int value) {
    return (S) set(rewardClass(), value);
  }

  /** The fine-tuner's defaults where they differ from the other families': a short run at a small constant rate. */
  @Override
  default ParamPair<?>[] familyDefaults() {
    return new ParamPair<?>[] {maxIter().w(200), stepSize().w(3e-4), batchSize().w(8), schedule().w("constant"),
        warmupSteps().w(0), weightDecay().w(0.0), validationInterval().w(50)};
  }
}
