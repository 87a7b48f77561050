package io.spindle.rl;

import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.Sampler;
import io.spindle.nn.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One completion of a model for each of a few prompts, scored two ways: by the reward, and by the reference model's
 * loss on the completion's tokens (mean nats per token; per character with a character tokenizer), which says how
 * far the samples have drifted from text the reference finds likely. What {@code spindle rl} reports for the
 * starting and the fine-tuned model: completion i is drawn at temperature 1 from the seed
 * {@code Seeds.derive(seed, 4, i)}, the same for both, so the two reports differ only by the weights.
 *
 * @param prompts each prompt's text, as the model saw it (cut to fit the block size)
 * @param completions each completion's text, without the stop token
 * @param rewards each completion's reward
 * @param meanReward the mean reward
 * @param referenceLoss the reference model's mean loss per completion token, stop tokens included
 */
public record SampleReport(List<String> prompts, List<String> completions, double[] rewards, double meanReward,
    double referenceLoss) {
  /** Seed path of report samples, below the run's seed. */
  static final int SAMPLES = 4;

  /** The report of {@code model} on {@code prompts}, sampled as {@code settings} says, the loss under {@code reference}. */
  public static SampleReport of(Gpt model, Gpt reference, Tokenizer tokenizer, List<int[]> prompts, Reward reward,
      PolicyGradientConfig settings, long seed) {
    Sampler sampler = new Sampler(model);
    List<int[]> cut = new ArrayList<>(prompts.size());
    List<int[]> completions = new ArrayList<>(prompts.size());
    List<String> promptTexts = new ArrayList<>(prompts.size());
    List<String> completionTexts = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      int[] prompt = settings.cut(prompts.get(i), model.config().blockSize());
      int[] completion = sampler.generateGroup(prompt, new long[] {Seeds.derive(seed, SAMPLES, i)},
          settings.maxNewTokens(), 1.0, 0, settings.stopToken())[0];
      cut.add(prompt);
      completions.add(completion);
      promptTexts.add(tokenizer.decode(prompt));
      boolean stopped = settings.stopToken() >= 0 && completion[completion.length - 1] == settings.stopToken();
      completionTexts.add(tokenizer.decode(stopped ? Arrays.copyOf(completion, completion.length - 1) : completion));
    }
    double[] rewards = reward.scoreAll(promptTexts, completionTexts);
    PolicyLoss.Rows rows = PolicyLoss.rows(cut, completions, new double[prompts.size()]);
    float[] logp = PolicyLoss.logProbs(reference, rows);
    double loss = 0;
    for (int p = 0; p < logp.length; p++) {
      loss -= rows.counts(p) ? logp[p] : 0;
    }
    return new SampleReport(promptTexts, completionTexts, rewards, Arrays.stream(rewards).average().orElse(Double.NaN),
        loss / rows.counted());
  }
}
