package io.spindle.rl;

import io.spindle.autograd.Graph;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.nn.Sampler;
import io.spindle.nn.Seeds;
import io.spindle.spark.BroadcastModel;
import io.spindle.train.BatchGradient;
import io.spindle.train.Evaluation;
import io.spindle.train.ExampleObjective;
import io.spindle.train.GlobalBatch;
import io.spindle.train.Objective;
import io.spindle.train.PromptChunk;
import io.spindle.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Policy-gradient fine-tuning of a GPT as a model family of the shared trainers: the "data" are prompts, and a step's
 * loss is computed on completions the current model samples for them.
 *
 * <p><b>A step.</b> The global batch of step s is B prompts drawn as {@link ExampleObjective} says (a part is a
 * {@link PromptChunk}). For each draw j the model with the step's weights samples K completions, completion k from
 * the seed {@code Seeds.derive(seed, s, 2, j, k)} (path 0 of a step draws its batch, 1 seeds dropout), with the
 * KV-cached {@link Sampler#generateGroup} at temperature 1 and no top-k, so the completions are drawn from exactly the
 * distribution pi whose log-probabilities the loss takes; sampling is a pure function of the seed, the step, the draw
 * and k, and of the weights, so a retried task or a resumed run draws the same completions. Each completion is
 * scored by the {@link Reward}, its advantage is its reward minus its group's mean ({@link Advantages}), and
 * {@link PolicyLoss} adds the gradient of {@code -sum A log pi(completion) + beta KL} to the model's gradient buffer.
 * Prompts are cut to their last {@code blockSize - maxNewTokens} tokens.
 *
 * <p><b>What the driver divides by.</b> The count of a step is its number of completions, B K (the count unit
 * "completions"): the update follows the gradient of the mean over completions of each completion's summed
 * token terms, the Monte-Carlo estimate of {@code -(E[R] - beta KL_sequence)} up to the baseline's scale.
 *
 * <p><b>Metrics.</b> Each group also sums, and {@link #metrics} reports per step: {@code reward}, the mean reward;
 * {@code kl}, the mean per-token KL estimate k3 to the reference; {@code entropy}, the policy's mean per-token
 * entropy (nats) where it sampled; {@code max_length_share}, the share of completions that ran to
 * {@code maxNewTokens} without the stop token (1 when there is none); {@code completion_tokens}, the mean completion
 * length.
 *
 * <p><b>Validation</b> (optional): held-out prompts each get one completion, from a seed fixed per prompt
 * ({@code Seeds.derive(seed, 3, part, row)}) so that evaluations compare like with like; the evaluation "loss" is
 * minus its reward, so the mean validation loss is minus the mean reward.
 *
 * <p>The reference pi_ref is a frozen copy of the starting weights ({@link BroadcastModel}: broadcast once on Spark,
 * held in the objective in the in-process trainer); the tokenizer travels as its {@code tokenizer.json}, to decode
 * completions for the reward. Like every objective this is a small value that travels in Spark closures; it holds
 * no prompts and no trainable model.
 */
public final class PolicyGradientObjective implements ExampleObjective<Gpt, PromptChunk> {
  private static final long serialVersionUID = 1L;
  /** Seed path of a step's rollouts, below (seed, step). */
  static final int ROLLOUTS = 2;
  /** Seed path of validation completions, below the run's seed. */
  static final int EVALUATION = 3;
  /** Validation prompts per evaluation batch. */
  static final int EVALUATION_BATCH = 16;

  private final GptConfig config;
  private final PolicyGradientConfig settings;
  private final long seed;
  private final int batchSize;
  private final long[] offsets;
  private final long count;
  private final byte[] tokenizerJson;
  private final Reward reward;
  private final BroadcastModel<GptConfig, Gpt> reference;
  private transient Tokenizer tokenizer;

  /**
   * The objective of fine-tuning a model of {@code config} with {@code settings}, B = {@code training.batchSize()}
   * prompts per step drawn with {@code training.seed()} from {@code count} prompts whose parts start at
   * {@code offsets}; completions decoded with {@code tokenizer} and scored by {@code reward}, the KL taken to
   * {@code reference}.
   */
  public PolicyGradientObjective(GptConfig config, PolicyGradientConfig settings, TrainingConfig training,
      long[] offsets, long count, Tokenizer tokenizer, Reward reward, BroadcastModel<GptConfig, Gpt> reference) {
    GlobalBatch.examples(training.seed(), 0, training.batchSize(), count); // validates B and N
    if (settings.maxNewTokens() >= config.blockSize()) {
      throw new IllegalArgumentException("policy gradient: " + settings.maxNewTokens() + " new tokens leave no "
          + "room for a prompt in the block size " + config.blockSize());
    }
    if (settings.stopToken() >= config.vocabSize()) {
      throw new IllegalArgumentException("policy gradient: stop token " + settings.stopToken() + " outside the "
          + "vocabulary of " + config.vocabSize());
    }
    if (!reference.config().equals(config)) {
      throw new IllegalArgumentException("policy gradient: the reference model " + reference.config()
          + " is not of the policy's config " + config);
    }
    if (tokenizer.vocabSize() > config.vocabSize()) {
      throw new IllegalArgumentException("policy gradient: the tokenizer has " + tokenizer.vocabSize()
          + " tokens, the model's vocabulary " + config.vocabSize());
    }
    this.config = config;
    this.settings = settings;
    this.seed = training.seed();
    this.batchSize = training.batchSize();
    this.offsets = offsets.clone();
    this.count = count;
    this.tokenizerJson = tokenizer.toBytes();
    this.reward = reward;
    this.reference = reference;
    this.tokenizer = tokenizer;
  }

  @Override
  public GptFormat format() {
    return GptFormat.INSTANCE;
  }

  @Override
  public GptConfig config() {
    return config;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  public PolicyGradientConfig settings() {
    return settings;
  }

  @Override
  public String dataUnit() {
    return "prompts";
  }

  @Override
  public String countUnit() {
    return "completions";
  }

  @Override
  public long seed() {
    return seed;
  }

  @Override
  public long count() {
    return count;
  }

  @Override
  public long[] offsets() {
    return offsets.clone();
  }

  @Override
  public BatchGradient.Result accumulate(Gpt model, Graph graph, PromptChunk part, long step, int[] owned, int from,
      int to) {
    long[] picks = draws(step);
    long offset = offsets[part.index()];
    int k = settings.samples();
    Sampler sampler = new Sampler(model);
    List<int[]> prompts = new ArrayList<>((to - from) * k);
    List<int[]> completions = new ArrayList<>((to - from) * k);
    for (int i = from; i < to; i++) {
      int[] prompt = truncate(part.prompts()[(int) (picks[owned[i]] - offset)]);
      long[] seeds = new long[k];
      for (int c = 0; c < k; c++) {
        seeds[c] = Seeds.derive(seed, step, ROLLOUTS, owned[i], c);
      }
      for (int[] completion : sampler.generateGroup(prompt, seeds, settings.maxNewTokens(), 1.0, 0,
          settings.stopToken())) {
        prompts.add(prompt);
        completions.add(completion);
      }
    }
    double[] rewards = rewards(prompts, completions);
    double[] advantages = Advantages.of(rewards, k, settings.normalizeAdvantages());
    PolicyLoss.Rows rows = PolicyLoss.rows(prompts, completions, advantages);
    float[] referenceLogProbs = PolicyLoss.logProbs(reference.model(), rows);
    PolicyLoss.Outcome outcome = PolicyLoss.accumulate(model, graph, rows, referenceLogProbs, settings.klWeight());
    double rewardSum = 0;
    int maxLength = 0;
    for (int i = 0; i < rewards.length; i++) {
      rewardSum += rewards[i];
      maxLength += stopped(completions.get(i)) ? 0 : 1;
    }
    Map<String, Double> sums = new LinkedHashMap<>();
    sums.put("reward", rewardSum);
    sums.put("kl", outcome.klSum());
    sums.put("entropy", outcome.entropySum());
    sums.put("max_length", (double) maxLength);
    sums.put("completion_tokens", (double) rows.counted());
    return new BatchGradient.Result(outcome.loss(), rewards.length, sums);
  }

  /** The rewards of each completion (its text without the stop token) of its prompt's text. */
  private double[] rewards(List<int[]> prompts, List<int[]> completions) {
    Tokenizer tok = tokenizer();
    List<String> promptTexts = new ArrayList<>(prompts.size());
    List<String> completionTexts = new ArrayList<>(completions.size());
    for (int i = 0; i < prompts.size(); i++) {
      int[] c = completions.get(i);
      promptTexts.add(tok.decode(prompts.get(i)));
      completionTexts.add(tok.decode(stopped(c) ? Arrays.copyOf(c, c.length - 1) : c));
    }
    return reward.scoreAll(promptTexts, completionTexts);
  }

  private boolean stopped(int[] completion) {
    return settings.stopToken() >= 0 && completion[completion.length - 1] == settings.stopToken();
  }

  /** The last {@code blockSize - maxNewTokens} tokens of {@code prompt}. */
  int[] truncate(int[] prompt) {
    return settings.cut(prompt, config.blockSize());
  }

  /**
   * Per step: {@code reward} and {@code max_length_share} per completion, {@code kl} and {@code entropy} per
   * completion token, {@code completion_tokens} per completion.
   */
  @Override
  public Map<String, Double> metrics(BatchGradient.Result total) {
    double completions = total.tokens();
    double tokens = total.sum("completion_tokens");
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("reward", total.sum("reward") / completions);
    m.put("kl", total.sum("kl") / tokens);
    m.put("entropy", total.sum("entropy") / tokens);
    m.put("max_length_share", total.sum("max_length") / completions);
    m.put("completion_tokens", tokens / completions);
    return m;
  }

  /** K, beta, the completion length, the stop token, the advantages' scaling and the reward (its description). */
  @Override
  public Map<String, String> checkpointSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("samples_per_prompt", String.valueOf(settings.samples()));
    s.put("kl_weight", String.valueOf(settings.klWeight()));
    s.put("max_new_tokens", String.valueOf(settings.maxNewTokens()));
    s.put("stop_token", String.valueOf(settings.stopToken()));
    s.put("normalize_advantages", String.valueOf(settings.normalizeAdvantages()));
    s.put("reward", reward.describe());
    return s;
  }

  @Override
  public void checkTotal(long step, BatchGradient.Result total) {
    Objective.requireCount(step, total, (long) batchSize * settings.samples(), "completions");
  }

  @Override
  public int evaluationBatchSize() {
    return EVALUATION_BATCH;
  }

  @Override
  public Evaluation evaluate(Gpt model, PromptChunk part, int from, int to) {
    Sampler sampler = new Sampler(model);
    List<int[]> prompts = new ArrayList<>(to - from);
    List<int[]> completions = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      int[] prompt = truncate(part.prompts()[i]);
      long[] seeds = {Seeds.derive(seed, EVALUATION, part.index(), i)};
      prompts.add(prompt);
      completions.add(sampler.generateGroup(prompt, seeds, settings.maxNewTokens(), 1.0, 0,
          settings.stopToken())[0]);
    }
    double sum = 0;
    for (double r : rewards(prompts, completions)) {
      sum += r;
    }
    return new Evaluation(-sum, to - from, -1);
  }

  private synchronized Tokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = Tokenizer.fromBytes(tokenizerJson);
    }
    return tokenizer;
  }
}
