package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkTokenStream;
import io.spindle.spark.SparkVocabulary;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GPT decoder language model as an MLlib estimator (named as MLlib's {@code Word2Vec} is, its model
 * {@link TransformerLMModel}): learns a character, word or BPE tokenizer from a string column and trains a {@link Gpt}
 * on the column's text over the dataset's SparkContext (its default parallelism is the number of tasks per step).
 * Training, validation and early stopping, checkpoints, micro-batches and bf16 gradients are
 * {@link SpindleEstimator}'s, the same for every family. The fitted model scores and continues text.
 *
 * <p><b>The training text.</b> The non-null rows, in the dataset's order (partition by partition), joined with a
 * newline between consecutive rows, form one text: the vocabulary is learned from it on the executors
 * ({@link SparkVocabulary}), it is tokenized on the executors ({@link SparkTokenStream#fromText}), and the last
 * {@link #validationFraction()} of its tokens (the end of the last rows) is held out for validation: evaluations
 * before the last step score 20 batches of it, the last all of it. Training windows may span row boundaries, as
 * nanoGPT's do across documents. Order the dataset (e.g. {@code orderBy}) if it matters which rows are held out.
 * Null rows are skipped and counted: a warning is logged and {@link TransformerLMTrainingSummary#numSkipped} has the
 * count. A column of only nulls, or a text too short for one window of {@code blockSize + 1} tokens after the
 * hold-out, is an {@link IllegalArgumentException}; so is early stopping with a held-out tail of fewer than 2 tokens.
 */
public class TransformerLM extends SpindleEstimator<TransformerLMModel, TransformerLM>
    implements TransformerLMParams.Setters<TransformerLM> {
  private static final long serialVersionUID = 1L;
  /** Batches of the held-out tail an evaluation before the last step scores. */
  static final int VALIDATION_BATCHES = 20;

  public TransformerLM(String uid) {
    super(uid);
  }

  public TransformerLM() {
    this(Identifiable.randomUID("transformerLM"));
  }

  @Override
  protected int validationBatches() {
    return VALIDATION_BATCHES;
  }

  @Override
  public TransformerLMModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Logger log = LoggerFactory.getLogger(getClass());
    String column = getInputCol();
    Column text = dataset.col(column);
    Row counts = SparkJobs.run("counting the training rows",
        () -> dataset.agg(functions.count(functions.lit(1)), functions.count(text)).first());
    long total = counts.getLong(0);
    long usable = counts.getLong(1);
    if (usable == 0) {
      throw new BadInputException(getClass().getSimpleName() + ": no training rows with text in column '"
          + column + "' (" + total + " rows, all null)");
    }
    if (total > usable) {
      log.warn("{}: skipped {} of {} rows whose '{}' is null", uid(), total - usable, total, column);
    }
    JavaRDD<String> lines = dataset.select(text).where(text.isNotNull()).javaRDD().map(r -> r.getString(0))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Tokenizer tokenizer = SparkVocabulary.learn(lines, getTokenizerMode(), tokenizerOptions());
      Gpt network = Gpt.create(gptConfig(tokenizer.vocabSize()), getLong(seed()));
      int partitions = lines.context().defaultParallelism();
      try (SparkTokenStream data = SparkTokenStream.fromText(lines, tokenizer, getInt(blockSize()), partitions,
          getDouble(validationFraction()))) {
        lines.unpersist(false);
        log.info("{}: {} rows, vocabulary of {}, {} training / {} validation tokens in {} partitions", uid(), usable,
            tokenizer.vocabSize(), data.length(), data.validationTokens().length, data.partitions());
        if (data.validation() == null && getInt(earlyStoppingPatience()) > 0) {
          throw new BadInputException(getClass().getSimpleName() + ": earlyStoppingPatience is "
              + getInt(earlyStoppingPatience()) + " but the held-out tail (validationFraction "
              + getDouble(validationFraction()) + ") has fewer than 2 tokens to validate on");
        }
        Run run = train(network, data.objective(network.config(), trainingConfig()), data, data.validation(),
            tokenizer, tokenizer);
        TransformerLMModel model = new TransformerLMModel(uid(), network, tokenizer);
        model.setSummary(new TransformerLMTrainingSummary(run.progress(), run.resumedFrom(), usable,
            total - usable, data.length(), data.validationTokens().length));
        return fitted(model);
      }
    } finally {
      lines.unpersist(false);
    }
  }

  public static MLReader<TransformerLM> read() {
    return new DefaultParamsReadable<TransformerLM>() {}.read();
  }

  public static TransformerLM load(String path) {
    return read().load(path);
  }
}
