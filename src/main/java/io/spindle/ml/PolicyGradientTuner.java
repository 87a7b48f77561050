package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.rl.ClassifierReward;
import io.spindle.rl.PolicyGradientConfig;
import io.spindle.rl.PolicyGradientObjective;
import io.spindle.rl.Reward;
import io.spindle.rl.Rewards;
import io.spindle.spark.BroadcastModel;
import io.spindle.spark.ClassifierInference;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkPrompts;
import io.spindle.train.PromptChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reinforcement-learning fine-tuning of a language model as an MLlib estimator: from a DataFrame of prompts and a
 * starting {@link TransformerLMModel} ({@link #setInitialModel}), policy-gradient training
 * ({@link PolicyGradientObjective}: K completions sampled per prompt on the executors, advantages against the group's
 * mean reward, a KL penalty to the starting model) gives a fine-tuned {@code TransformerLMModel}. The math is
 * {@code io.spindle.rl}'s and the training run {@link SpindleEstimator}'s, the same as every family's: checkpoints
 * and resume, validation and early stopping, micro-batches.
 *
 * <p><b>The reward</b> is either {@link #reward()}, a spec of {@link Rewards} (a regex share, a length band, or a
 * classifier model folder on a local disk), or a fitted reward model ({@link #setRewardModel}): a
 * {@link TransformerClassificationModel} and the {@link SpindleTokenizerModel} its ids came from, the reward being
 * its probability of {@link #rewardClass()} for the text prompt + completion. That is the RLHF recipe on Spindle's own
 * stages.
 *
 * <p><b>Prompts.</b> The non-null, non-empty rows of {@link #promptCol()}, tokenized on the executors with the
 * starting model's tokenizer; null and empty rows are skipped and counted. A prompt with a character outside the
 * vocabulary is an error naming it, before the first step. With {@link #validationIndicatorCol()}, the rows it marks
 * are validation prompts: each gets one completion per evaluation, from a seed fixed per prompt, and the validation
 * loss is minus their mean reward.
 *
 * <p><b>The fitted model</b> is a {@code TransformerLMModel} with the fine-tuned weights and the starting model's
 * tokenizer. It keeps the starting model's Params, then takes this estimator's shared Params as every fitted model
 * does, {@code promptCol} and {@code maxNewTokens} among them, so {@code transform} on the prompts adds the tuned
 * model's continuations ({@code generatedCol}); its {@code perplexityCol} is set to {@code ""} (set it to score a
 * text column). Its summary is a {@link TransformerLMTrainingSummary} whose rows are prompts and tokens prompt
 * tokens; the reward, KL, entropy and share of completions at the length limit of each step are
 * {@link TrainingSummary#metricHistory} of {@code "reward"}, {@code "kl"}, {@code "entropy"} and
 * {@code "max_length_share"}.
 *
 * <p><b>Persistence.</b> MLlib's parameter metadata, and under {@code data/} the starting model
 * ({@code initialModel/}) and the reward model ({@code rewardTokenizer/}, {@code rewardModel/}) when set, each as
 * its own stage saves itself.
 */
public class PolicyGradientTuner extends SpindleEstimator<TransformerLMModel, PolicyGradientTuner>
    implements PolicyGradientParams<PolicyGradientTuner> {
  private static final long serialVersionUID = 1L;
  static final String INITIAL_MODEL = "initialModel";
  static final String REWARD_TOKENIZER = "rewardTokenizer";
  static final String REWARD_MODEL = "rewardModel";

  private TransformerLMModel initialModel;
  private SpindleTokenizerModel rewardTokenizer;
  private TransformerClassificationModel rewardModel;

  public PolicyGradientTuner(String uid) {
    super(uid);
  }

  public PolicyGradientTuner() {
    this(Identifiable.randomUID("policyGradientTuner"));
  }

  /** The model to start from: the policy's first weights, and the frozen reference of the KL penalty. */
  public PolicyGradientTuner setInitialModel(TransformerLMModel model) {
    this.initialModel = model;
    return this;
  }

  /** The starting model, or null when none is set. */
  public TransformerLMModel getInitialModel() {
    return initialModel;
  }

  /**
   * A fitted classifier as the reward model: the reward of a completion is {@code classifier}'s probability of
   * {@link #rewardClass()} for prompt + completion, encoded by {@code tokenizer} (the stage that made the ids it was
   * trained on).
   */
  public PolicyGradientTuner setRewardModel(SpindleTokenizerModel tokenizer,
      TransformerClassificationModel classifier) {
    this.rewardTokenizer = tokenizer;
    this.rewardModel = classifier;
    return this;
  }

  /** The reward model's classifier, or null when none is set. */
  public TransformerClassificationModel getRewardModel() {
    return rewardModel;
  }

  /** The reward model's tokenizer, or null when none is set. */
  public SpindleTokenizerModel getRewardTokenizer() {
    return rewardTokenizer;
  }

  /**
   * Besides the shared checks: a starting model is set, the reward is given one way (a spec or a reward model), the
   * reward class is one of the reward model's, and a completion leaves room for a prompt in the context.
   */
  @Override
  protected void checkParams() {
    super.checkParams();
    String stage = getClass().getSimpleName();
    if (initialModel == null) {
      throw new IllegalArgumentException(stage + ": no starting model; call setInitialModel");
    }
    boolean spec = isNonEmpty(reward());
    if (spec == (rewardModel != null)) {
      throw new IllegalArgumentException(stage + ": give the reward one way, " + (spec ? "not both the reward Param "
          + "and a reward model" : "the reward Param (e.g. \"vowels\") or setRewardModel"));
    }
    if (rewardModel != null && getInt(rewardClass()) >= rewardModel.getNumClassesTrained()) {
      throw new IllegalArgumentException(stage + ": rewardClass " + getInt(rewardClass()) + " outside the reward "
          + "model's classes 0.." + (rewardModel.getNumClassesTrained() - 1));
    }
    int block = initialModel.network().config().blockSize();
    if (getInt(maxNewTokens()) >= block) {
      throw new IllegalArgumentException(stage + ": maxNewTokens " + getInt(maxNewTokens()) + " leaves no room for "
          + "a prompt in the starting model's context of " + block + " tokens");
    }
  }

  /** Checks the prompt column (string) and, when fitting, the validation column; appends the generated column. */
  @Override
  public StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, schema, getPromptCol());
    if (fitting) {
      requireValidationIndicatorCol(stage, schema);
    }
    String generated = initialModel == null ? "generated" : initialModel.getGeneratedCol();
    return Schemas.append(stage, schema, generated, DataTypes.StringType, Metadata.empty());
  }

  /** What is sampled and how the loss weighs: K, beta, maxNewTokens, the stop token's id, normalizeAdvantages. */
  public PolicyGradientConfig policyGradientConfig(Tokenizer tokenizer) {
    int stop = -1;
    if (isNonEmpty(stopToken())) {
      try {
        stop = tokenizer.id(getOrDefault(stopToken()));
      } catch (IllegalArgumentException e) {
        throw new BadInputException(getClass().getSimpleName() + ": stopToken '" + getOrDefault(stopToken())
            + "' is not a token of the starting model's vocabulary");
      }
    }
    return new PolicyGradientConfig(getInt(samplesPerPrompt()), getDouble(klWeight()), getInt(maxNewTokens()), stop,
        getBoolean(normalizeAdvantages()));
  }

  @Override
  @SuppressWarnings("unchecked")
  public TransformerLMModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Logger log = LoggerFactory.getLogger(getClass());
    Tokenizer tokenizer = initialModel.tokenizer();
    Gpt start = initialModel.network();
    GptConfig config = start.config();
    Gpt network = GptFormat.INSTANCE.build(config);
    network.parameters().values().copyFrom(start.parameters().values().toArray());
    PolicyGradientConfig settings = policyGradientConfig(tokenizer);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());

    Column prompt = dataset.col(getPromptCol());
    Column usable = prompt.isNotNull().and(functions.length(prompt).gt(0));
    Column validation = validationIndicator(dataset);
    Row counts = SparkJobs.run("counting the prompts", () -> dataset.agg(functions.count(functions.lit(1)),
        functions.count(functions.when(usable.and(functions.not(validation)), 1)),
        functions.count(functions.when(usable.and(validation), 1)),
        functions.count(functions.when(usable.and(validation.isNull()), 1))).first());
    long total = counts.getLong(0);
    long training = counts.getLong(1);
    long held = counts.getLong(2);
    if (counts.getLong(3) > 0) {
      throw new BadInputException(getClass().getSimpleName() + ": null in the validation column '"
          + validationColumn() + "'");
    }
    if (training == 0) {
      throw new BadInputException(getClass().getSimpleName() + ": no training prompts in column '" + getPromptCol()
          + "' (" + total + " rows, none non-null, non-empty and not marked for validation)");
    }
    if (hasValidationIndicatorCol() && held == 0) {
      throw new BadInputException(getClass().getSimpleName() + ": the validation column '"
          + validationColumn() + "' marks no prompt");
    }
    long skipped = total - training - held;
    if (skipped > 0) {
      log.warn("{}: skipped {} of {} rows whose '{}' is null or empty", uid(), skipped, total, getPromptCol());
    }
    Reward reward = reward(jsc);
    BroadcastModel<GptConfig, Gpt> reference = BroadcastModel.of(jsc, GptFormat.INSTANCE, start);
    try (SparkPrompts train = SparkPrompts.ofText(lines(dataset, usable.and(functions.not(validation))), tokenizer);
        SparkPrompts checked = held == 0 ? null : SparkPrompts.ofText(lines(dataset, usable.and(validation)),
            tokenizer)) {
      PolicyGradientObjective objective = new PolicyGradientObjective(config, settings, trainingConfig(),
          train.offsets(), train.count(), tokenizer, reward, reference);
      log.info("{}: {} training and {} validation prompts, {} completions of up to {} tokens each, reward {}",
          uid(), training, held, settings.samples(), settings.maxNewTokens(), reward.describe());
      Run run = train(network, objective, train, checked, tokenizer, tokenizer);
      TransformerLMModel model = new TransformerLMModel(uid(), network, tokenizer);
      for (Param<?> p : initialModel.params()) {
        if (initialModel.isSet(p)) {
          model.set(model.getParam(p.name()), initialModel.getOrDefault((Param<Object>) p));
        }
      }
      model.setSummary(new TransformerLMTrainingSummary(run.progress(), run.resumedFrom(), training, skipped,
          tokens(train), checked == null ? 0 : tokens(checked)));
      return fitted(model).setPerplexityCol("");
    } finally {
      reference.destroy();
      if (reward instanceof ClassifierReward c) {
        c.destroy();
      }
    }
  }

  /** The prompt texts of the rows {@code where} selects, in the dataset's order. */
  private JavaRDD<String> lines(Dataset<?> dataset, Column where) {
    return dataset.select(dataset.col(getPromptCol())).where(where).javaRDD().map(r -> r.getString(0));
  }

  /** The tokens of every prompt. */
  private static long tokens(SparkPrompts prompts) {
    return SparkJobs.run("counting prompt tokens", () -> prompts.parts().map(PolicyGradientTuner::tokens)
        .fold(0L, Long::sum));
  }

  private static long tokens(PromptChunk chunk) {
    long n = 0;
    for (int[] p : chunk.prompts()) {
      n += p.length;
    }
    return n;
  }

  /** The reward: the reward model broadcast with {@code jsc}, or the spec's ({@link Rewards#parse}). */
  private Reward reward(JavaSparkContext jsc) {
    if (rewardModel != null) {
      int c = getInt(rewardClass());
      return new ClassifierReward(ClassifierInference.broadcast(jsc, rewardModel.network()),
          rewardTokenizer.tokenizer(), c, "classifier:" + rewardModel.uid() + ":" + c);
    }
    try {
      return Rewards.parse(getOrDefault(reward()), jsc);
    } catch (IOException e) {
      throw new UncheckedIOException(getClass().getSimpleName() + ": reading the reward " + getOrDefault(reward()),
          e);
    }
  }

  /** A copy with the same Params (and {@code extra}), starting model and reward model. */
  @Override
  public PolicyGradientTuner copy(ParamMap extra) {
    PolicyGradientTuner copy = super.copy(extra);
    copy.initialModel = initialModel;
    copy.rewardTokenizer = rewardTokenizer;
    copy.rewardModel = rewardModel;
    return copy;
  }

  @Override
  public MLWriter write() {
    return ModelPersistence.writer(this, (tuner, dir, conf) -> {
      if (tuner.initialModel != null) {
        tuner.initialModel.write().save(new Path(dir, INITIAL_MODEL).toString());
      }
      if (tuner.rewardModel != null) {
        tuner.rewardTokenizer.write().save(new Path(dir, REWARD_TOKENIZER).toString());
        tuner.rewardModel.write().save(new Path(dir, REWARD_MODEL).toString());
      }
    });
  }

  public static MLReader<PolicyGradientTuner> read() {
    return ModelPersistence.reader(PolicyGradientTuner.class, (uid, dir, conf) -> {
      PolicyGradientTuner tuner = new PolicyGradientTuner(uid);
      Path initial = new Path(dir, INITIAL_MODEL);
      if (initial.getFileSystem(conf).exists(initial)) {
        tuner.setInitialModel(TransformerLMModel.load(initial.toString()));
      }
      Path reward = new Path(dir, REWARD_MODEL);
      if (reward.getFileSystem(conf).exists(reward)) {
        tuner.setRewardModel(SpindleTokenizerModel.load(new Path(dir, REWARD_TOKENIZER).toString()),
            TransformerClassificationModel.load(reward.toString()));
      }
      return tuner;
    });
  }

  public static PolicyGradientTuner load(String path) {
    return read().load(path);
  }
}
