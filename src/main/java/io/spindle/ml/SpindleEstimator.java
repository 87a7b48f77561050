package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.Network;
import io.spindle.optim.ParameterRateScale;
import io.spindle.spark.SparkParts;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.train.DataPart;
import io.spindle.train.Objective;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base of the estimators that train a transformer ({@link TransformerClassifier}, {@link TransformerLM},
 * {@link TransformerTranslator}): the Params every family shares and their setters, the one place each of
 * {@link TrainingConfig}, {@link ValidationPolicy} and {@link SparkTrainingOptions} is built from Params, the checks
 * that refuse a bad combination of Params before anything is fitted ({@link #transformSchema}, so a
 * {@code Pipeline} refuses it too), and the training run itself ({@link #train}): one {@link SparkTrainer} for every
 * family, with checkpoints and resume, validation and early stopping, micro-batches and bf16 gradients. A family
 * prepares its data and model, calls {@link #train}, and wraps the network in its {@link SpindleModel}.
 *
 * <p>Persistence is MLlib's {@code DefaultParamsWritable}: an estimator holds nothing but Params. Each concrete class
 * has a public {@code (String uid)} constructor and static {@code read()} and {@code load(path)}.
 *
 * @param <M> the model {@code fit} returns
 * @param <E> the estimator itself, which the setters return
 */
@SuppressWarnings("unchecked")
public abstract class SpindleEstimator<M extends SpindleModel<?, ?, M>, E extends SpindleEstimator<M, E>>
    extends Estimator<M> implements TrainingParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  /** A step's metrics are logged every this many steps, and at the last step. */
  static final int LOG_EVERY = 50;

  private final DeclaredParams params;

  /** Creates every Param, with the defaults declared with it and then the family's ({@link #familyDefaults}). */
  protected SpindleEstimator(String uid) {
    this.params = new DeclaredParams(this, uid);
    params.createAll();
  }

  @Override
  public DeclaredParams declaredParams() {
    return params;
  }

  public E setMaxIter(int value) {
    return (E) set(maxIter(), value);
  }

  public E setStepSize(double value) {
    return (E) set(stepSize(), value);
  }

  public E setBatchSize(int value) {
    return (E) set(batchSize(), value);
  }

  public E setWarmupSteps(int value) {
    return (E) set(warmupSteps(), value);
  }

  public E setWeightDecay(double value) {
    return (E) set(weightDecay(), value);
  }

  public E setSeed(long value) {
    return (E) set(seed(), value);
  }

  public E setMicroBatches(int value) {
    return (E) set(microBatches(), value);
  }

  /** {@code "adamw"} or {@code "sgd"}. */
  public E setOptimizer(String value) {
    return (E) set(optimizer(), value);
  }

  /** {@code "cosine"}, {@code "constant"} or {@code "noam"}. */
  public E setSchedule(String value) {
    return (E) set(schedule(), value);
  }

  public E setMomentum(double value) {
    return (E) set(momentum(), value);
  }

  public E setGradClip(double value) {
    return (E) set(gradClip(), value);
  }

  public E setBf16Gradients(boolean value) {
    return (E) set(bf16Gradients(), value);
  }

  public E setValidationInterval(int value) {
    return (E) set(validationInterval(), value);
  }

  public E setEarlyStoppingPatience(int value) {
    return (E) set(earlyStoppingPatience(), value);
  }

  public E setValidationTol(double value) {
    return (E) set(validationTol(), value);
  }

  public E setCheckpointDir(String value) {
    return (E) set(checkpointDir(), value);
  }

  public E setCheckpointInterval(int value) {
    return (E) set(checkpointInterval(), value);
  }

  /**
   * The optimisation these Params describe, the one place they map onto it: maxIter steps of batchSize, the
   * optimizer ({@link #adamBeta2()} for AdamW), the schedule at peak stepSize (the cosine decays to stepSize / 10),
   * warmupSteps, weightDecay, momentum, gradClip, seed and microBatches, and the family's {@link #rateScale()}. Throws, naming the stage, for a combination
   * the config refuses (the Noam schedule without warm-up).
   */
  public TrainingConfig trainingConfig() {
    try {
      return TrainingConfig.builder().steps(getInt(maxIter())).batchSize(getInt(batchSize()))
          .microBatches(getInt(microBatches())).optimizer(choice(TrainingConfig.OptimizerChoice.class, optimizer()))
          .learningRate(getDouble(stepSize())).schedule(choice(TrainingConfig.ScheduleChoice.class, schedule()))
          .warmupSteps(getInt(warmupSteps())).weightDecay(getDouble(weightDecay())).betas(0.9, adamBeta2())
          .momentum(getDouble(momentum())).gradClip(getDouble(gradClip())).seed(getLong(seed()))
          .rateScale(rateScale()).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": " + e.getMessage() + " (schedule "
          + getOrDefault(schedule()) + ", warmupSteps " + getInt(warmupSteps()) + ")", e);
    }
  }

  /** When validation runs and when it stops training: validationInterval, earlyStoppingPatience, validationTol. */
  public ValidationPolicy validationPolicy() {
    return new ValidationPolicy(getInt(validationInterval()), getInt(earlyStoppingPatience()),
        getDouble(validationTol()), validationBatches());
  }

  /** How the Spark trainer runs: bf16Gradients, and checkpoints (resumed from) when {@link #hasCheckpoints()}. */
  public SparkTrainingOptions sparkTrainingOptions() {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCompressedGradients(
        getBoolean(bf16Gradients()));
    return hasCheckpoints() ? options.withCheckpoints(getOrDefault(checkpointDir()), getInt(checkpointInterval()))
        .withResume(true) : options;
  }

  /**
   * A learning rate of its own for a group of the network's parameters (a fine-tuned backbone's), or null (the
   * default) for one rate.
   */
  protected ParameterRateScale rateScale() {
    return null;
  }

  /** AdamW's second-moment decay: 0.99 (nanoGPT's); the translator's is the Transformer paper's 0.98. */
  protected double adamBeta2() {
    return 0.99;
  }

  /** Batches of each validation part scored at an evaluation before the last; 0 = all. */
  protected int validationBatches() {
    return 0;
  }

  /**
   * Refuses Params that cannot train together, naming them: heads that do not divide the width, an optimisation
   * the config refuses, early stopping without validation data or without evaluations before the last step.
   */
  protected void checkParams() {
    if (this instanceof HasArchitecture architecture) { // a family that builds its network (not a fine-tuner)
      architecture.checkHeadsDivideWidth();
    }
    trainingConfig();
    int patience = getInt(earlyStoppingPatience());
    String missing = missingValidation();
    String stage = getClass().getSimpleName();
    if (patience > 0 && missing != null) {
      throw new IllegalArgumentException(stage + ": earlyStoppingPatience is " + patience + " but " + missing
          + "; early stopping needs validation data (or earlyStoppingPatience 0)");
    }
    if (patience > 0 && getInt(validationInterval()) == 0) {
      throw new IllegalArgumentException(stage + ": earlyStoppingPatience is " + patience + " but "
          + "validationInterval is 0 (validation only after the last step); early stopping needs evaluations "
          + "during training");
    }
  }

  /** Checks the Params ({@link #checkParams}) and the columns, and returns the fitted model's output schema. */
  @Override
  public StructType transformSchema(StructType schema) {
    checkParams();
    return validateAndTransformSchema(schema, true);
  }

  @Override
  public E copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** What {@link #train} reports: the run, and the checkpoint it resumed from, if any. */
  protected record Run(TrainingProgress progress, Optional<String> resumedFrom) {}

  /**
   * Trains {@code model} with {@link SparkTrainer} on {@code data}, scoring {@code validation} (null for none) as
   * {@link #validationPolicy} says, with {@link #trainingConfig} and {@link #sparkTrainingOptions}; logs every
   * {@value #LOG_EVERY} steps and the last. The tokenizers go into every checkpoint and must match one resumed from.
   */
  protected final <N extends Network<?>, D extends DataPart> Run train(N model, Objective<N, D> objective,
      SparkParts<D> data, SparkParts<D> validation, Tokenizer tokenizer, Tokenizer targetTokenizer) {
    TrainingConfig config = trainingConfig();
    SparkTrainer<N, D> trainer = new SparkTrainer<>(objective, model, config, sparkTrainingOptions(), tokenizer,
        targetTokenizer);
    Logger log = LoggerFactory.getLogger(getClass());
    String unit = objective.countUnit();
    try {
      TrainingProgress progress = trainer.train(data, validation, validationPolicy(), (StepMetrics m) -> {
        if (m.step() % LOG_EVERY == 0 || m.step() == config.steps()) {
          log.info("{}: step {}/{}, loss {}, {} {}/s", uid(), m.step(), config.steps(),
              String.format(Locale.ROOT, "%.4f", m.loss()), String.format(Locale.ROOT, "%.0f",
                  m.tokensPerSecond()), unit);
        }
      });
      return new Run(progress, trainer.resumedFrom());
    } catch (IOException e) {
      throw new UncheckedIOException("training " + uid(), e);
    }
  }

  /** {@code model} with this estimator's Params and as its parent, the last step of every {@code fit}. */
  protected final M fitted(M model) {
    return copyValues(model, extractParamMap()).setParent(this);
  }

  /** The constant of {@code type} named by the value of {@code choice} (which its validator keeps to the names). */
  private <T extends Enum<T>> T choice(Class<T> type, Param<String> choice) {
    return Enum.valueOf(type, getOrDefault(choice).toUpperCase(Locale.ROOT));
  }
}
