package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.GptConfig;
import io.spindle.optim.ParameterRateScale;
import java.util.Locale;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.types.Metadata;
import io.spindle.spark.SparkExamples;
import io.spindle.spark.SparkJobs;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
 *
 * <p><b>Fine-tuning a pretrained language model</b> (GPT-1's recipe). With an initial model
 * ({@link #setInitialModel} for a fitted {@link TransformerLMModel} in this session, or
 * {@link #initialModelPath()}, which persists with the estimator; the object wins when both are set), the network is
 * the language model's GPT with a new head ({@link EncoderClassifier#fromLanguageModel}): the {@code gpt} backbone,
 * the language model's vocabulary, layers, heads and width, and {@code maxSeqLength} tokens when set, else the
 * language model's block size (more is an error). Setting {@code backbone} to {@code "encoder"}, or
 * {@code numLayers}, {@code numHeads}, {@code modelDim} or {@code vocabSize} to other values than the language
 * model's, is an error naming both. The ids must come from the language model's tokenizer
 * ({@link TransformerLMModel#tokenizerModel}): an ids column whose metadata names another tokenizer
 * ({@link SpindleTokenizerModel#TOKENIZER_KEY}) is an error. The fitted model keeps the tokenizer in its folder.
 * {@link #backboneStepSize()} gives the body a learning rate of its own (0 freezes it); the head trains at
 * {@code stepSize}.
 */
public class TransformerClassifier extends SpindleEstimator<TransformerClassificationModel, TransformerClassifier>
    implements TransformerClassifierParams.Setters<TransformerClassifier> {
  private static final long serialVersionUID = 1L;

  /** A fitted language model to start from, in this session only (Params hold no models; see the class comment). */
  private transient TransformerLMModel initialModel;

  public TransformerClassifier(String uid) {
    super(uid);
  }

  public TransformerClassifier() {
    this(Identifiable.randomUID("transformerClassifier"));
  }

  /**
   * Fine-tunes {@code model}'s GPT rather than training from scratch (see the class comment). Kept in this object
   * and its copies, not saved: to persist the setting, save the language model and set {@link #initialModelPath()}.
   */
  public TransformerClassifier setInitialModel(TransformerLMModel model) {
    this.initialModel = model;
    return this;
  }

  /** The fitted language model set by {@link #setInitialModel}, or null. */
  public TransformerLMModel getInitialModel() {
    return initialModel;
  }

  @Override
  public TransformerClassifier copy(ParamMap extra) {
    return super.copy(extra).setInitialModel(initialModel);
  }

  /** Whether this fit starts from a language model. */
  private boolean fineTunes() {
    return initialModel != null || isDefined(initialModelPath());
  }

  /** The backbone's rate over the head's, when {@link #backboneStepSize()} is set. */
  @Override
  protected ParameterRateScale rateScale() {
    if (!isDefined(backboneStepSize())) {
      return null;
    }
    String prefix = (fineTunes() ? EncoderConfig.Backbone.GPT
        : EncoderConfig.Backbone.valueOf(getBackbone().toUpperCase(Locale.ROOT))).prefix();
    return new ParameterRateScale(prefix + ".", getDouble(backboneStepSize()) / getDouble(stepSize()));
  }

  @Override
  protected void checkParams() {
    super.checkParams();
    if (fineTunes() && isSet(backbone()) && !getBackbone().equals("gpt")) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": backbone is '" + getBackbone()
          + "' but an initial model is set; fine-tuning a language model uses the 'gpt' backbone");
    }
  }

  @Override
  public TransformerClassificationModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String stage = getClass().getSimpleName();
    String indicatorColumn = validationColumn();
    TrainingRows reader = new TrainingRows(stage, getFeaturesCol(), getLabelCol(), indicatorColumn);
    JavaRDD<Row> rows = dataset.select(dataset.col(getFeaturesCol()), dataset.col(getLabelCol()).cast("double"),
        validationIndicator(dataset)).javaRDD();
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
    StructField features = dataset.schema().apply(getFeaturesCol());
    PretrainedLanguageModel lm = !fineTunes() ? null : initialModel != null ? PretrainedLanguageModel.of(initialModel)
        : PretrainedLanguageModel.load(getOrDefault(initialModelPath()),
            dataset.sparkSession().sparkContext().hadoopConfiguration());
    if (lm != null) {
      checkFitsLanguageModel(lm, features);
    }
    int vocab = lm != null ? lm.network().config().vocabSize()
        : vocabSizeOf(features, stats.minId(), stats.maxId());
    if (lm != null && (stats.minId() < 0 || stats.maxId() >= vocab)) {
      throw new BadInputException(stage + ": token id " + (stats.minId() < 0 ? stats.minId() : stats.maxId())
          + " in column '" + getFeaturesCol() + "' is outside the " + lm.source() + "'s vocabulary of " + vocab
          + " tokens");
    }
    if (stats.skipped() > 0) {
      LoggerFactory.getLogger(getClass()).warn("{}: skipped {} of {} rows whose '{}' is null or empty", uid(),
          stats.skipped(), stats.rows(), getFeaturesCol());
    }
    JavaRDD<Row> usable = rows.filter(reader::usable);
    EncoderClassifier network = lm == null ? EncoderClassifier.create(encoderConfig(vocab, classes),
        getLong(seed())) : EncoderClassifier.fromLanguageModel(lm.network(), fineTuningConfig(lm, classes),
            getLong(seed()));
    Run run;
    try (SparkExamples data = SparkExamples.of(usable.filter(r -> !reader.validation(r)).map(reader::example),
        vocab, classes); SparkExamples validation = indicatorColumn == null ? null
            : SparkExamples.of(usable.filter(reader::validation).map(reader::example), vocab, classes)) {
      if (validation != null) {
        validation.checkFits(network.config());
      }
      run = train(network, data.objective(network.config(), trainingConfig()), data, validation, null, null);
    }
    TransformerClassificationModel model = new TransformerClassificationModel(uid(), network,
        lm == null ? null : lm.tokenizer());
    model.setSummary(new TransformerClassificationTrainingSummary(run.progress(), run.resumedFrom(),
        stats.training(), stats.validation(), stats.skipped()));
    return fitted(model);
  }

  /** The classifier config of a GPT backbone with {@code lm}'s architecture. */
  private EncoderConfig fineTuningConfig(PretrainedLanguageModel lm, int classes) {
    int blockSize = lm.network().config().blockSize();
    int maxLength = isSet(maxSeqLength()) ? getInt(maxSeqLength()) : blockSize;
    if (maxLength > blockSize) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": maxSeqLength " + maxLength + " exceeds the "
          + "block size " + blockSize + " of the " + lm.source() + " (unset, it is the block size)");
    }
    return EncoderClassifier.gptConfig(lm.network().config(), maxLength, classes, poolingChoice(),
        getDouble(dropout()));
  }

  /**
   * Refuses architecture Params set to other values than {@code lm}'s, and ids (per the column's metadata) from
   * another tokenizer than {@code lm}'s.
   */
  private void checkFitsLanguageModel(PretrainedLanguageModel lm, StructField features) {
    String stage = getClass().getSimpleName();
    GptConfig g = lm.network().config();
    int[][] pairs = {{getInt(numLayers()), g.numLayers()}, {getInt(numHeads()), g.numHeads()},
        {getInt(modelDim()), g.embedDim()}, {getInt(vocabSize()), g.vocabSize()}};
    IntParam[] params = {numLayers(), numHeads(), modelDim(), vocabSize()};
    for (int i = 0; i < params.length; i++) {
      if (isSet(params[i]) && pairs[i][0] != pairs[i][1]) {
        throw new IllegalArgumentException(stage + ": " + params[i].name() + " is " + pairs[i][0] + " but the "
            + lm.source() + " has " + pairs[i][1] + "; a fine-tuned classifier takes the language model's "
            + "architecture (leave " + params[i].name() + " unset)");
      }
    }
    Metadata m = features.metadata();
    String expected = PretrainedLanguageModel.fingerprint(lm.tokenizer());
    boolean otherTokenizer = m.contains(SpindleTokenizerModel.TOKENIZER_KEY)
        && !m.getString(SpindleTokenizerModel.TOKENIZER_KEY).equals(expected);
    boolean otherVocabulary = m.contains(SpindleTokenizerModel.VOCAB_SIZE_KEY)
        && m.getLong(SpindleTokenizerModel.VOCAB_SIZE_KEY) != g.vocabSize();
    if (otherTokenizer || otherVocabulary) {
      String source = m.contains(SpindleTokenizerModel.SOURCE_COLUMN_KEY)
          ? " (tokenized from column '" + m.getString(SpindleTokenizerModel.SOURCE_COLUMN_KEY) + "')" : "";
      throw new BadInputException(stage + ": the ids in column '" + getFeaturesCol() + "'" + source + " come from "
          + "another tokenizer" + (m.contains(SpindleTokenizerModel.VOCAB_SIZE_KEY) ? " (vocabulary of "
          + m.getLong(SpindleTokenizerModel.VOCAB_SIZE_KEY) + ")" : "") + " than the " + lm.source() + "'s ("
          + lm.tokenizer().type() + ", vocabulary of " + g.vocabSize() + "); tokenize with the language model's "
          + "tokenizer, TransformerLMModel.tokenizerModel");
    }
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
