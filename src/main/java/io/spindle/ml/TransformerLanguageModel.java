package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkTokenStream;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.spark.SparkVocabulary;
import io.spindle.train.StepMetrics;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GPT decoder language model as an MLlib estimator: learns a character or word tokenizer from a string column and
 * trains a {@link Gpt} on the column's text with {@link SparkTrainer}, data-parallel over the dataset's
 * SparkContext (the default parallelism is the number of tasks per step); the math lives in {@code io.spindle.nn}
 * and {@code io.spindle.spark}. The fitted {@link TransformerLanguageModelModel} scores and continues text.
 *
 * <p><b>The training text.</b> The non-null rows, in the dataset's order (partition by partition), joined with a
 * newline between consecutive rows, form one text: the vocabulary is learned from it on the executors
 * ({@link SparkVocabulary}), it is tokenized on the executors ({@link SparkTokenStream#fromText}), and the last
 * {@code validationFraction} of its tokens (the end of the last rows) is held out for validation. Training windows
 * may span row boundaries, as nanoGPT's do across documents. Order the dataset (e.g. {@code orderBy}) if it matters
 * which rows are held out. Null rows are skipped and counted: a warning is logged and
 * {@link TransformerLanguageModelTrainingSummary#numSkipped} has the count. A text too short for one window of
 * {@code blockSize + 1} tokens after the hold-out is an {@link IllegalArgumentException}.
 */
public class TransformerLanguageModel extends Estimator<TransformerLanguageModelModel>
    implements TransformerLanguageModelParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TransformerLanguageModel.class);

  private final String uid;
  private final Declared params;

  public TransformerLanguageModel(String uid) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
  }

  public TransformerLanguageModel() {
    this(Identifiable.randomUID("transformerLanguageModel"));
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declaredParams() {
    return params;
  }

  public TransformerLanguageModel setInputCol(String value) {
    set(inputCol(), value);
    return this;
  }

  public TransformerLanguageModel setPerplexityCol(String value) {
    set(perplexityCol(), value);
    return this;
  }

  public TransformerLanguageModel setPromptCol(String value) {
    set(promptCol(), value);
    return this;
  }

  public TransformerLanguageModel setGeneratedCol(String value) {
    set(generatedCol(), value);
    return this;
  }

  public TransformerLanguageModel setTokenizerMode(String value) {
    set(tokenizerMode(), value);
    return this;
  }

  public TransformerLanguageModel setMinCount(int value) {
    set(minCount(), value);
    return this;
  }

  public TransformerLanguageModel setMaxVocabSize(int value) {
    set(maxVocabSize(), value);
    return this;
  }

  public TransformerLanguageModel setNumLayers(int value) {
    set(numLayers(), value);
    return this;
  }

  public TransformerLanguageModel setNumHeads(int value) {
    set(numHeads(), value);
    return this;
  }

  public TransformerLanguageModel setModelDim(int value) {
    set(modelDim(), value);
    return this;
  }

  public TransformerLanguageModel setBlockSize(int value) {
    set(blockSize(), value);
    return this;
  }

  public TransformerLanguageModel setDropout(double value) {
    set(dropout(), value);
    return this;
  }

  public TransformerLanguageModel setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public TransformerLanguageModel setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public TransformerLanguageModel setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public TransformerLanguageModel setWarmupSteps(int value) {
    set(warmupSteps(), value);
    return this;
  }

  public TransformerLanguageModel setWeightDecay(double value) {
    set(weightDecay(), value);
    return this;
  }

  public TransformerLanguageModel setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public TransformerLanguageModel setMicroBatches(int value) {
    set(microBatches(), value);
    return this;
  }

  public TransformerLanguageModel setValidationFraction(double value) {
    set(validationFraction(), value);
    return this;
  }

  public TransformerLanguageModel setEvalInterval(int value) {
    set(evalInterval(), value);
    return this;
  }

  public TransformerLanguageModel setMaxNewTokens(int value) {
    set(maxNewTokens(), value);
    return this;
  }

  public TransformerLanguageModel setTemperature(double value) {
    set(temperature(), value);
    return this;
  }

  public TransformerLanguageModel setTopK(int value) {
    set(topK(), value);
    return this;
  }

  public TransformerLanguageModel setGenerationSeed(long value) {
    set(generationSeed(), value);
    return this;
  }

  @Override
  public TransformerLanguageModelModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String column = getInputCol();
    Column text = dataset.col(column);
    Row counts = SparkJobs.run("counting the training rows",
        () -> dataset.agg(functions.count(functions.lit(1)), functions.count(text)).first());
    long total = counts.getLong(0);
    long usable = counts.getLong(1);
    if (usable == 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": no training rows with text in column '"
          + column + "' (" + total + " rows, all null)");
    }
    if (total > usable) {
      LOG.warn("{}: skipped {} of {} rows whose '{}' is null", uid, total - usable, total, column);
    }
    JavaRDD<String> lines = dataset.select(text).where(text.isNotNull()).javaRDD().map(r -> r.getString(0))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Tokenizer tokenizer;
    Gpt model;
    List<Double> losses = new ArrayList<>();
    List<Long> validationSteps = new ArrayList<>();
    List<Double> validationLosses = new ArrayList<>();
    long[] tokens = new long[2];
    try {
      tokenizer = SparkVocabulary.learn(lines, getTokenizerMode(), tokenizerOptions());
      model = Gpt.create(gptConfig(tokenizer.vocabSize()), getLong(seed()));
      int partitions = lines.context().defaultParallelism();
      try (SparkTokenStream data = SparkTokenStream.fromText(lines, tokenizer, getInt(blockSize()), partitions,
          getDouble(validationFraction()))) {
        lines.unpersist(false);
        tokens[0] = data.length();
        tokens[1] = data.validationTokens().length;
        LOG.info("{}: {} rows, vocabulary of {}, {} training / {} validation tokens in {} partitions", uid, usable,
            tokenizer.vocabSize(), tokens[0], tokens[1], data.partitions());
        new SparkTrainer<>(data.objective(model.config(), trainingConfig()), model, trainingConfig(),
            SparkTrainingOptions.defaults(), tokenizer, tokenizer)
            .train(data, data.validation(), ValidationPolicy.every(getInt(evalInterval())).withMaxBatches(20),
            (StepMetrics m) -> {
              losses.add(m.loss());
              if (m.evaluated()) {
                validationSteps.add(m.step());
                validationLosses.add(m.validationLoss());
              }
              if (m.step() % 50 == 0 || m.step() == getInt(maxIter())) {
                LOG.info("{}: step {}/{}, loss {}, {} tokens/s", uid, m.step(), getInt(maxIter()),
                    String.format("%.4f", m.loss()), String.format("%.0f", m.tokensPerSecond()));
              }
            });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("training " + uid, e);
    } finally {
      lines.unpersist(false);
    }
    TransformerLanguageModelModel fitted = new TransformerLanguageModelModel(uid, model, tokenizer);
    fitted.setSummary(new TransformerLanguageModelTrainingSummary(
        losses.stream().mapToDouble(Double::doubleValue).toArray(),
        validationSteps.stream().mapToLong(Long::longValue).toArray(),
        validationLosses.stream().mapToDouble(Double::doubleValue).toArray(), usable, total - usable, tokens[0],
        tokens[1]));
    return copyValues(fitted, extractParamMap()).setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, true);
  }

  @Override
  public TransformerLanguageModel copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TransformerLanguageModel> read() {
    return new DefaultParamsReadable<TransformerLanguageModel>() {}.read();
  }

  public static TransformerLanguageModel load(String path) {
    return read().load(path);
  }
}
