package io.spindle.rl;

import java.io.Serializable;
import java.util.List;

/**
 * What policy-gradient fine-tuning maximises: a number for each completion, given the prompt it continues. A reward
 * travels to Spark executors inside the objective, so it must be serializable and small (a model it needs goes as a
 * broadcast handle, as {@link ClassifierReward}'s does), and it must be a pure function of its arguments, so that a
 * retried task or a resumed run scores the same completions the same. It is called from several threads at once
 * when the in-process trainer runs on more than one.
 *
 * <p>Built in: {@link MatchFraction} (the share of the completion's characters that a regular expression matches,
 * such as vowels), {@link LengthBand} (a completion length inside a band) and {@link ClassifierReward} (a fitted
 * classifier's probability of a class: the RLHF recipe's reward model). {@link Rewards#parse} builds them from the
 * command line's specs.
 */
@FunctionalInterface
public interface Reward extends Serializable {
  /** The reward of {@code completion} (its text, without the stop token) as a continuation of {@code prompt}. */
  double score(String prompt, String completion);

  /**
   * What this reward is, for logs and for checkpoints: a run resumes only from a checkpoint of the same reward, so
   * two rewards that score differently must describe themselves differently. By default the class's name (a
   * lambda's includes a number the JVM assigns; implement this for a reward that resumed runs must recognise).
   */
  default String describe() {
    return getClass().getName();
  }

  /**
   * The rewards of many completions at once, {@code completions.get(i)} continuing {@code prompts.get(i)}: one call
   * per group of draws, so a reward computed by a model can run it on one batch. By default one {@link #score} each.
   */
  default double[] scoreAll(List<String> prompts, List<String> completions) {
    double[] rewards = new double[completions.size()];
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] = score(prompts.get(i), completions.get(i));
    }
    return rewards;
  }
}
