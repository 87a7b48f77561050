package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.spark.SparkTranslationPairs;
import io.spindle.spark.TranslationPair;
import io.spindle.train.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transformer encoder-decoder translator as an MLlib estimator: from a source text column and a target text
 * column it learns the tokenizer(s) ({@link #tokenizerMode}, one shared vocabulary by default,
 * {@link #sharedVocabulary}) and trains an {@link EncoderDecoder} data-parallel over the dataset's partitions with
 * {@link SparkTrainer} (each step one Spark job; loss: label-smoothed cross-entropy per target token). The
 * {@link TransformerTranslationModel} adds a translation column.
 *
 * <p>Rows skipped, counted in the {@link TransformerTranslationTrainingSummary} and logged: a null or empty source or
 * target, or one with no tokens ({@code numSkippedEmpty}); a source longer than {@code maxSourceLength} tokens or a
 * target longer than {@code maxTargetLength} ({@code numSkippedTooLong}) — skipped rather than truncated, since a cut
 * pair no longer says the same thing on both sides and would teach the model to drop or invent text. The
 * vocabularies are learned from the rows with non-empty source and target, on the driver, streamed partition by
 * partition; the texts are tokenized on the executors.
 */
public class TransformerTranslator extends Estimator<TransformerTranslationModel>
    implements TransformerTranslatorParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TransformerTranslator.class);

  private final String uid;
  private final Declared params;

  public TransformerTranslator(String uid) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
  }

  public TransformerTranslator() {
    this(Identifiable.randomUID("transformerTranslator"));
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declaredParams() {
    return params;
  }

  public TransformerTranslator setInputCol(String value) {
    set(inputCol(), value);
    return this;
  }

  public TransformerTranslator setTargetCol(String value) {
    set(targetCol(), value);
    return this;
  }

  public TransformerTranslator setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public TransformerTranslator setTokenizerMode(String value) {
    set(tokenizerMode(), value);
    return this;
  }

  public TransformerTranslator setMinCount(int value) {
    set(minCount(), value);
    return this;
  }

  public TransformerTranslator setMaxVocabSize(int value) {
    set(maxVocabSize(), value);
    return this;
  }

  public TransformerTranslator setSharedVocabulary(boolean value) {
    set(sharedVocabulary(), value);
    return this;
  }

  public TransformerTranslator setNumLayers(int value) {
    set(numLayers(), value);
    return this;
  }

  public TransformerTranslator setNumHeads(int value) {
    set(numHeads(), value);
    return this;
  }

  public TransformerTranslator setModelDim(int value) {
    set(modelDim(), value);
    return this;
  }

  public TransformerTranslator setMaxSourceLength(int value) {
    set(maxSourceLength(), value);
    return this;
  }

  public TransformerTranslator setMaxTargetLength(int value) {
    set(maxTargetLength(), value);
    return this;
  }

  public TransformerTranslator setDropout(double value) {
    set(dropout(), value);
    return this;
  }

  public TransformerTranslator setLabelSmoothing(double value) {
    set(labelSmoothing(), value);
    return this;
  }

  public TransformerTranslator setNormPlacement(String value) {
    set(normPlacement(), value);
    return this;
  }

  public TransformerTranslator setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public TransformerTranslator setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public TransformerTranslator setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public TransformerTranslator setWarmupSteps(int value) {
    set(warmupSteps(), value);
    return this;
  }

  public TransformerTranslator setWeightDecay(double value) {
    set(weightDecay(), value);
    return this;
  }

  public TransformerTranslator setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public TransformerTranslator setBeamSize(int value) {
    set(beamSize(), value);
    return this;
  }

  public TransformerTranslator setMaxOutputLength(int value) {
    set(maxOutputLength(), value);
    return this;
  }

  public TransformerTranslator setLengthPenalty(double value) {
    set(lengthPenalty(), value);
    return this;
  }

  @Override
  public TransformerTranslationModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    int dim = getInt(modelDim());
    int heads = getInt(numHeads());
    if (dim % 2 != 0 || dim % heads != 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": modelDim " + dim + " must be even and "
          + "divisible by numHeads " + heads);
    }
    tokenizerOptions(); // refuses a maxVocabSize without room for learned tokens before any job
    Column source = dataset.col(getInputCol());
    Column target = dataset.col(getTargetCol());
    Dataset<Row> texts = dataset.select(source, target);
    long total = SparkJobs.run("counting the training rows", texts::count);
    Dataset<Row> present = texts.where(source.isNotNull().and(target.isNotNull()).and(source.notEqual(""))
        .and(target.notEqual("")));
    Tokenizer[] tokenizers = SparkJobs.run("learning the vocabularies", () -> TranslationTokenizers.learn(present,
        getTokenizerMode(), tokenizerOptions(), getSharedVocabulary()));
    JavaRDD<TranslationPair> encoded = present.javaRDD().map(new PairEncoder(tokenizers[0], tokenizers[1]));
    int maxSource = getInt(maxSourceLength());
    int maxTarget = getInt(maxTargetLength());
    long[] counts = SparkJobs.run("tokenizing the training rows", () -> encoded.map(p -> classify(p, maxSource,
        maxTarget)).fold(new long[3], TransformerTranslator::add)); // {usable, no tokens, too long}
    long skippedEmpty = total - counts[0] - counts[2];
    if (counts[0] == 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": no usable training rows in columns '"
          + getInputCol() + "' and '" + getTargetCol() + "' (" + total + " rows: " + skippedEmpty
          + " with a null, empty or token-less side, " + counts[2] + " longer than maxSourceLength " + maxSource
          + " or maxTargetLength " + maxTarget + ")");
    }
    if (total > counts[0]) {
      LOG.warn("{}: skipped {} of {} rows: {} with a null or empty source or target, {} longer than "
          + "maxSourceLength {} or maxTargetLength {} tokens", uid, total - counts[0], total, skippedEmpty,
          counts[2], maxSource, maxTarget);
    }
    JavaRDD<TranslationPair> usable = encoded.filter(p -> classify(p, maxSource, maxTarget)[0] == 1);
    EncoderDecoderConfig config = encoderDecoderConfig(tokenizers[0].vocabSize(), tokenizers[1].vocabSize());
    EncoderDecoder network = EncoderDecoder.create(config, getSeed());
    List<Double> losses = new ArrayList<>();
    try (SparkTranslationPairs data = SparkTranslationPairs.of(usable, config.sourceVocabSize(),
        config.targetVocabSize())) {
      new SparkTrainer<>(data.objective(config, tokenizers[0], tokenizers[1], trainingConfig()), network,
          trainingConfig(), SparkTrainingOptions.defaults(), tokenizers[0],
          tokenizers[1]).train(data, null, null, (StepMetrics m) -> {
            losses.add(m.loss());
            if (m.step() % 50 == 0 || m.step() == getInt(maxIter())) {
              LOG.info("{}: step {}/{}, loss {}, {} target tokens/s", uid, m.step(), getInt(maxIter()),
                  String.format("%.4f", m.loss()), String.format("%.0f", m.tokensPerSecond()));
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("training " + uid, e);
    }
    double[] history = losses.stream().mapToDouble(Double::doubleValue).toArray();
    TransformerTranslationModel fitted = new TransformerTranslationModel(uid, network, tokenizers[0],
        tokenizers[1]);
    fitted.setSummary(new TransformerTranslationTrainingSummary(history, counts[0], skippedEmpty, counts[2]));
    return copyValues(fitted, extractParamMap()).setParent(this);
  }

  /** {1, 0, 0} for a usable pair, {0, 1, 0} for a side without tokens, {0, 0, 1} for a side too long. */
  private static long[] classify(TranslationPair p, int maxSource, int maxTarget) {
    if (p.source().length == 0 || p.target().length == 0) {
      return new long[] {0, 1, 0};
    }
    return p.source().length > maxSource || p.target().length > maxTarget ? new long[] {0, 0, 1}
        : new long[] {1, 0, 0};
  }

  private static long[] add(long[] a, long[] b) {
    return new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, true);
  }

  @Override
  public TransformerTranslator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TransformerTranslator> read() {
    return new DefaultParamsReadable<TransformerTranslator>() {}.read();
  }

  public static TransformerTranslator load(String path) {
    return read().load(path);
  }

  /** A (source, target) row to token ids on an executor; captures only the two tokenizers' JSON. */
  private static final class PairEncoder implements Function<Row, TranslationPair> {
    private static final long serialVersionUID = 1L;
    private final TokenizerFunction source;
    private final TokenizerFunction target;

    PairEncoder(Tokenizer source, Tokenizer target) {
      this.source = new TokenizerFunction(source);
      this.target = new TokenizerFunction(target);
    }

    @Override
    public TranslationPair call(Row r) throws IOException {
      return new TranslationPair(source.call(r.getString(0)), target.call(r.getString(1)));
    }
  }
}
