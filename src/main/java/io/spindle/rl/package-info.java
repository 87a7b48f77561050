/**
 * Reinforcement learning with neural networks: policy-gradient fine-tuning of a GPT so that its completions of a set
 * of prompts maximise a reward, a model family of the shared trainers like any other ({@code docs/rl.md} has the
 * math).
 *
 * <ul>
 *   <li>{@link io.spindle.rl.PolicyGradientObjective}: a step's rollouts (K completions per drawn prompt, sampled as
 *       a pure function of seed, step, draw and k), their rewards and advantages, and the loss's gradient; its
 *       per-step metrics (reward, KL to the reference, entropy, share of completions at the length limit).
 *       {@link io.spindle.rl.PolicyGradientConfig} holds what it samples and how it weighs.
 *   <li>{@link io.spindle.rl.Advantages} (the group baseline) and {@link io.spindle.rl.PolicyLoss} (the REINFORCE
 *       surrogate and the k3 KL penalty, composed from autodiff ops).
 *   <li>{@link io.spindle.rl.Reward}, a serializable pure function of prompt and completion, and its built-ins:
 *       {@link io.spindle.rl.MatchFraction}, {@link io.spindle.rl.LengthBand} and
 *       {@link io.spindle.rl.ClassifierReward} (a fitted encoder classifier as the reward model), named by specs in
 *       {@link io.spindle.rl.Rewards}; {@link io.spindle.rl.SampleReport} compares models' samples.
 * </ul>
 *
 * <p>Trained by {@code io.spindle.train.LocalTrainer} or {@code io.spindle.spark.SparkTrainer}; the command line's
 * {@code spindle rl} and MLlib's {@code io.spindle.ml.PolicyGradientTuner} wire it up. May import
 * {@code io.spindle.spark} (broadcast handles of the reference and reward models), {@code io.spindle.train},
 * {@code io.spindle.nn}, {@code io.spindle.data} and below.
 */
package io.spindle.rl;
