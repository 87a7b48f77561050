package io.spindle.ml;

import io.spindle.nn.EncoderClassifier;
import io.spindle.spark.LabeledSequence;
import io.spindle.spark.SparkExamples;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.train.ExampleChunk;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transformer-encoder sequence classifier as an MLlib estimator, the Java equivalent of a
 * {@code ProbabilisticClassifier}: features are token ids ({@code array<int>}, e.g. from {@link SpindleTokenizerModel}),
 * labels class indices 0..K-1 (numeric); the {@link TransformerClassificationModel} adds {@code rawPrediction},
 * {@code probability} and {@code prediction}. Training is {@link SparkTrainer}, data-parallel over the
 * dataset's partitions (each step one Spark job); the math lives in {@code io.spindle.nn} and {@code io.spindle.spark}.
 *
 * <p><b>Input.</b> Checked in one pass before the first step; every error is an {@link IllegalArgumentException}
 * naming the column and the offending value, never a {@code NullPointerException}:
 * <ul>
 *   <li>a row whose ids are null or an empty array is skipped and counted
 *       ({@link TransformerClassificationTrainingSummary#numSkipped}, and a warning);
 *   <li>a null id inside an array, or an id outside the vocabulary ({@code < 0}, or {@code >= vocabSize} when it is
 *       set or comes from the column's metadata), is an error naming the features column and the id;
 *   <li>a label that is null, negative, fractional, NaN, or {@code >= numClasses} (when set) is an error naming the
 *       label column and the value;
 *   <li>no training row with ids at all, or a validation indicator column that marks no such row, is an error.
 * </ul>
 *
 * <p><b>Validation and early stopping.</b> With {@link #validationIndicatorCol()} (a boolean column, as in MLlib's
 * {@code GBTClassifier}), rows where it is true are only scored, never trained on: after every
 * {@link #validationInterval()} steps and after the last one the validation loss and accuracy are recorded in the
 * summary ({@link TransformerClassificationTrainingSummary#validationLossHistory}). With
 * {@link #earlyStoppingPatience()} {@code p > 0}, training stops after p evaluations in a row whose loss is not
 * below the best so far minus {@link #validationTol()}, and the model keeps the weights of the best evaluation
 * (also when it ran all maxIter steps); the summary says at which step and why it stopped. Without a validation
 * column, {@code earlyStoppingPatience > 0} is refused (by {@code transformSchema}, so a {@code Pipeline} refuses it
 * before fitting anything) and {@code validationInterval} and {@code validationTol} are unused.
 *
 * <p><b>Checkpoints.</b> With {@link #checkpointDir()} (any Hadoop path) and {@link #checkpointInterval()} K
 * (-1 disables), a checkpoint is written every K steps and at the end (weights, AdamW moments, step, histories,
 * best weights; SHA-256 manifest, committed by rename). If the directory already holds a valid checkpoint of the
 * same model and training settings (architecture, vocabulary and classes, maxIter, batch, rates, seed, the numbers
 * of training and validation rows, the validation params), fit resumes from the newest one and, on the same
 * partitioning, ends with the weights an uninterrupted fit would have; resuming a finished fit returns its model
 * without a step. A directory holding checkpoints of another model or settings is refused: give each fit (each
 * {@code CrossValidator} fold, say) its own directory.
 */
public class TransformerClassifier extends Estimator<TransformerClassificationModel>
    implements TransformerClassifierParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TransformerClassifier.class);

  private final String uid;
  private final Declared params;

  public TransformerClassifier(String uid) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
  }

  public TransformerClassifier() {
    this(Identifiable.randomUID("transformerClassifier"));
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declaredParams() {
    return params;
  }

  public TransformerClassifier setFeaturesCol(String value) {
    set(featuresCol(), value);
    return this;
  }

  public TransformerClassifier setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public TransformerClassifier setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public TransformerClassifier setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public TransformerClassifier setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public TransformerClassifier setNumLayers(int value) {
    set(numLayers(), value);
    return this;
  }

  public TransformerClassifier setNumHeads(int value) {
    set(numHeads(), value);
    return this;
  }

  public TransformerClassifier setModelDim(int value) {
    set(modelDim(), value);
    return this;
  }

  public TransformerClassifier setMaxSeqLength(int value) {
    set(maxSeqLength(), value);
    return this;
  }

  public TransformerClassifier setDropout(double value) {
    set(dropout(), value);
    return this;
  }

  public TransformerClassifier setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public TransformerClassifier setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public TransformerClassifier setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public TransformerClassifier setWarmupSteps(int value) {
    set(warmupSteps(), value);
    return this;
  }

  public TransformerClassifier setWeightDecay(double value) {
    set(weightDecay(), value);
    return this;
  }

  public TransformerClassifier setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public TransformerClassifier setNumClasses(int value) {
    set(numClasses(), value);
    return this;
  }

  public TransformerClassifier setVocabSize(int value) {
    set(vocabSize(), value);
    return this;
  }

  public TransformerClassifier setValidationIndicatorCol(String value) {
    set(validationIndicatorCol(), value);
    return this;
  }

  public TransformerClassifier setValidationInterval(int value) {
    set(validationInterval(), value);
    return this;
  }

  public TransformerClassifier setEarlyStoppingPatience(int value) {
    set(earlyStoppingPatience(), value);
    return this;
  }

  public TransformerClassifier setValidationTol(double value) {
    set(validationTol(), value);
    return this;
  }

  public TransformerClassifier setCheckpointDir(String value) {
    set(checkpointDir(), value);
    return this;
  }

  public TransformerClassifier setCheckpointInterval(int value) {
    set(checkpointInterval(), value);
    return this;
  }

  @Override
  public TransformerClassificationModel fit(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    transformSchema(schema, true);
    String stage = getClass().getSimpleName();
    String indicatorColumn = hasValidationIndicatorCol() ? getOrDefault(validationIndicatorCol()) : null;
    TrainingRows reader = new TrainingRows(stage, getFeaturesCol(), getLabelCol(), indicatorColumn);
    JavaRDD<Row> rows = dataset.select(dataset.col(getFeaturesCol()), dataset.col(getLabelCol()).cast("double"),
        indicatorColumn == null ? functions.lit(false) : dataset.col(indicatorColumn)).javaRDD();
    long[] stats = SparkJobs.run("reading the training rows",
        () -> rows.map(reader::stats).fold(TrainingRows.NONE, TrainingRows::merge));
    String counts = stats[TrainingRows.ROWS] + " rows: " + stats[TrainingRows.SKIPPED] + " without token ids, "
        + stats[TrainingRows.VALIDATION] + " for validation";
    if (stats[TrainingRows.TRAINING] == 0) {
      throw new IllegalArgumentException(stage + ": no training rows with token ids in column '" + getFeaturesCol()
          + "' (" + counts + ")");
    }
    if (indicatorColumn != null && stats[TrainingRows.VALIDATION] == 0) {
      throw new IllegalArgumentException(stage + ": the validation indicator column '" + indicatorColumn
          + "' marks no row with token ids for validation (" + counts + ")");
    }
    int maxLabel = (int) stats[TrainingRows.MAX_LABEL];
    int classes = getInt(numClasses()) > 0 ? getInt(numClasses()) : Math.max(2, maxLabel + 1);
    if (maxLabel >= classes) {
      throw new IllegalArgumentException(stage + ": label " + maxLabel + " in column '" + getLabelCol()
          + "' is outside the " + classes + " classes 0.." + (classes - 1) + " set by numClasses");
    }
    int vocab = vocabSizeOf(schema.apply(getFeaturesCol()), stats[TrainingRows.MIN_ID],
        stats[TrainingRows.MAX_ID]);
    if (stats[TrainingRows.SKIPPED] > 0) {
      LOG.warn("{}: skipped {} of {} rows whose '{}' is null or empty", uid, stats[TrainingRows.SKIPPED],
          stats[TrainingRows.ROWS], getFeaturesCol());
    }
    JavaRDD<Row> usable = rows.filter(reader::usable);
    JavaRDD<LabeledSequence> training = usable.filter(r -> !reader.validation(r)).map(reader::example);
    JavaRDD<LabeledSequence> validating = usable.filter(reader::validation).map(reader::example);
    EncoderClassifier model = EncoderClassifier.create(encoderConfig(vocab, classes), getSeed());
    ValidationPolicy policy = new ValidationPolicy(getInt(validationInterval()), getInt(earlyStoppingPatience()),
        getDouble(validationTol()), 0);
    SparkTrainingOptions options = hasCheckpoints() ? SparkTrainingOptions.defaults()
        .withCheckpoints(getOrDefault(checkpointDir()), getInt(checkpointInterval())).withResume(true)
        : SparkTrainingOptions.defaults();
    TrainingProgress progress;
    SparkTrainer<EncoderClassifier, ExampleChunk> trainer;
    try (SparkExamples data = SparkExamples.of(training, vocab, classes);
        SparkExamples validation = indicatorColumn == null ? null : SparkExamples.of(validating, vocab, classes)) {
      if (validation != null) {
        validation.checkFits(model.config());
      }
      trainer = new SparkTrainer<>(data.objective(model.config(), trainingConfig()), model, trainingConfig(), options,
          null, null);
      progress = trainer.train(data, validation, policy, (StepMetrics m) -> {
        if (m.step() % 50 == 0 || m.step() == getInt(maxIter())) {
          LOG.info("{}: step {}/{}, loss {}, {} examples/s", uid, m.step(), getInt(maxIter()),
              String.format("%.4f", m.loss()), String.format("%.0f", m.tokensPerSecond()));
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("training " + uid, e);
    }
    TransformerClassificationModel fitted = new TransformerClassificationModel(uid, model);
    fitted.setSummary(new TransformerClassificationTrainingSummary(progress, stats[TrainingRows.TRAINING],
        stats[TrainingRows.VALIDATION], stats[TrainingRows.SKIPPED], trainer.resumedFrom().orElse(null)));
    return copyValues(fitted, extractParamMap()).setParent(this);
  }

  /** The vocabulary size: the param, else the column's metadata, else one more than the largest id. */
  private int vocabSizeOf(StructField features, long minId, long maxId) {
    int vocab = getInt(vocabSize());
    if (vocab == 0 && features.metadata().contains(SpindleTokenizerModel.VOCAB_SIZE_KEY)) {
      vocab = (int) features.metadata().getLong(SpindleTokenizerModel.VOCAB_SIZE_KEY);
    }
    vocab = vocab == 0 ? (int) Math.max(0, maxId) + 1 : vocab;
    if (minId < 0 || maxId >= vocab) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": token id " + (minId < 0 ? minId : maxId)
          + " in column '"
          + getFeaturesCol() + "' is outside the vocabulary of " + vocab + " tokens, ids 0.." + (vocab - 1));
    }
    return vocab;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, true);
  }

  @Override
  public TransformerClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TransformerClassifier> read() {
    return new DefaultParamsReadable<TransformerClassifier>() {}.read();
  }

  public static TransformerClassifier load(String path) {
    return read().load(path);
  }
}
