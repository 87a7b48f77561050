package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.nn.EncoderClassifier;
import io.spindle.spark.SparkExamples;
import io.spindle.spark.SparkJobs;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.slf4j.LoggerFactory;

/**
 * A transformer-encoder sequence classifier as an MLlib estimator, the Java equivalent of a
 * {@code ProbabilisticClassifier}: features are token ids ({@code array<int>}, e.g. from {@link SpindleTokenizerModel}),
 * labels class indices 0..K-1 (numeric); the {@link TransformerClassificationModel} adds {@code rawPrediction},
 * {@code probability} and {@code prediction}. Training, validation and early stopping, checkpoints, micro-batches
 * and bf16 gradients are {@link SpindleEstimator}'s, the same for every family.
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
 * <p><b>Validation.</b> With {@link #validationIndicatorCol()}, rows where it is true are only scored, never trained
 * on: their loss and accuracy at every evaluation land in the summary
 * ({@link TransformerClassificationTrainingSummary#validationAccuracyHistory}).
 */
public class TransformerClassifier extends SpindleEstimator<TransformerClassificationModel, TransformerClassifier>
    implements TransformerClassifierParams.Setters<TransformerClassifier> {
  private static final long serialVersionUID = 1L;

  public TransformerClassifier(String uid) {
    super(uid);
    setDefaults(declaredParams(), this);
  }

  public TransformerClassifier() {
    this(Identifiable.randomUID("transformerClassifier"));
  }

  /** The classifier's defaults where the families' differ, for the estimator and the model alike. */
  static void setDefaults(DeclaredParams params, TransformerClassifierParams<?> p) {
    params.setDefaults(p.labelCol().w("label"), p.predictionCol().w("prediction"), p.modelDim().w(64),
        p.dropout().w(0.0), p.maxIter().w(200), p.stepSize().w(1e-3), p.warmupSteps().w(10),
        p.weightDecay().w(0.01), p.validationInterval().w(10));
  }

  @Override
  protected String missingValidation() {
    return hasValidationIndicatorCol() ? null : "no validationIndicatorCol is set";
  }

  @Override
  public TransformerClassificationModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String stage = getClass().getSimpleName();
    String indicatorColumn = hasValidationIndicatorCol() ? getOrDefault(validationIndicatorCol()) : null;
    TrainingRows reader = new TrainingRows(stage, getFeaturesCol(), getLabelCol(), indicatorColumn);
    JavaRDD<Row> rows = dataset.select(dataset.col(getFeaturesCol()), dataset.col(getLabelCol()).cast("double"),
        indicatorColumn == null ? functions.lit(false) : dataset.col(indicatorColumn)).javaRDD();
    TrainingRows.Stats stats = TrainingRows.Stats.of(SparkJobs.run("reading the training rows",
        () -> rows.map(reader::stats).fold(TrainingRows.Stats.NONE.toArray(), TrainingRows.Stats::merge)));
    if (stats.training() == 0) {
      throw new BadInputException(stage + ": no training rows with token ids in column '" + getFeaturesCol()
          + "' (" + stats.counts() + ")");
    }
    if (indicatorColumn != null && stats.validation() == 0) {
      throw new BadInputException(stage + ": the validation indicator column '" + indicatorColumn
          + "' marks no row with token ids for validation (" + stats.counts() + ")");
    }
    int maxLabel = (int) stats.maxLabel();
    int classes = getInt(numClasses()) > 0 ? getInt(numClasses()) : Math.max(2, maxLabel + 1);
    if (maxLabel >= classes) {
      throw new BadInputException(stage + ": label " + maxLabel + " in column '" + getLabelCol()
          + "' is outside the " + classes + " classes 0.." + (classes - 1) + " set by numClasses");
    }
    int vocab = vocabSizeOf(dataset.schema().apply(getFeaturesCol()), stats.minId(), stats.maxId());
    if (stats.skipped() > 0) {
      LoggerFactory.getLogger(getClass()).warn("{}: skipped {} of {} rows whose '{}' is null or empty", uid(),
          stats.skipped(), stats.rows(), getFeaturesCol());
    }
    JavaRDD<Row> usable = rows.filter(reader::usable);
    EncoderClassifier network = EncoderClassifier.create(encoderConfig(vocab, classes), getLong(seed()));
    Run run;
    try (SparkExamples data = SparkExamples.of(usable.filter(r -> !reader.validation(r)).map(reader::example),
        vocab, classes); SparkExamples validation = indicatorColumn == null ? null
            : SparkExamples.of(usable.filter(reader::validation).map(reader::example), vocab, classes)) {
      if (validation != null) {
        validation.checkFits(network.config());
      }
      run = train(network, data.objective(network.config(), trainingConfig()), data, validation, null, null);
    }
    TransformerClassificationModel model = new TransformerClassificationModel(uid(), network);
    model.setSummary(new TransformerClassificationTrainingSummary(run.progress(), run.resumedFrom(),
        stats.training(), stats.validation(), stats.skipped()));
    return fitted(model);
  }

  /** The vocabulary size: the param, else the column's metadata, else one more than the largest id. */
  private int vocabSizeOf(StructField features, long minId, long maxId) {
    int vocab = getInt(vocabSize());
    if (vocab == 0 && features.metadata().contains(SpindleTokenizerModel.VOCAB_SIZE_KEY)) {
      vocab = (int) features.metadata().getLong(SpindleTokenizerModel.VOCAB_SIZE_KEY);
    }
    vocab = vocab == 0 ? (int) Math.max(0, maxId) + 1 : vocab;
    if (minId < 0 || maxId >= vocab) {
      throw new BadInputException(getClass().getSimpleName() + ": token id " + (minId < 0 ? minId : maxId)
          + " in column '" + getFeaturesCol() + "' is outside the vocabulary of " + vocab + " tokens, ids 0.."
          + (vocab - 1));
    }
    return vocab;
  }

  public static MLReader<TransformerClassifier> read() {
    return new DefaultParamsReadable<TransformerClassifier>() {}.read();
  }

  public static TransformerClassifier load(String path) {
    return read().load(path);
  }
}
