package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkTranslationPairs;
import io.spindle.spark.TranslationPair;
import java.io.IOException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.LoggerFactory;

/**
 * A transformer encoder-decoder translator as an MLlib estimator: from a source text column and a target text
 * column it learns the tokenizer(s) ({@link #tokenizerMode}, one shared vocabulary by default,
 * {@link #sharedVocabulary}) and trains an {@link EncoderDecoder} (loss: label-smoothed cross-entropy per target
 * token). Training, validation and early stopping, checkpoints, micro-batches and bf16 gradients are
 * {@link SpindleEstimator}'s, the same for every family; {@code schedule "noam"} gives the Transformer paper's
 * learning-rate schedule. The {@link TransformerTranslationModel} adds a translation column.
 *
 * <p>Rows skipped, counted in the {@link TransformerTranslationTrainingSummary} and logged: a null or empty source or
 * target, or one with no tokens ({@code numSkippedEmpty}); a source longer than {@code maxSourceLength} tokens or a
 * target longer than {@code maxTargetLength} ({@code numSkippedTooLong}) — skipped rather than truncated, since a cut
 * pair no longer says the same thing on both sides and would teach the model to drop or invent text. The
 * vocabularies are learned from the training rows with non-empty source and target (validation rows excluded); the
 * texts are tokenized on the executors. With {@link #validationIndicatorCol()}, the usable rows where it is true are
 * only scored (the same loss, without dropout), never trained on.
 */
public class TransformerTranslator extends SpindleEstimator<TransformerTranslationModel, TransformerTranslator>
    implements TransformerTranslatorParams.Setters<TransformerTranslator> {
  private static final long serialVersionUID = 1L;

  public TransformerTranslator(String uid) {
    super(uid);
  }

  public TransformerTranslator() {
    this(Identifiable.randomUID("transformerTranslator"));
  }

  /** The Transformer paper's 0.98. */
  @Override
  protected double adamBeta2() {
    return 0.98;
  }

  /** Also refuses an odd modelDim (sinusoidal positions pair the dimensions) and a vocabulary without room. */
  @Override
  protected void checkParams() {
    super.checkParams();
    if (getInt(modelDim()) % 2 != 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": modelDim " + getInt(modelDim())
          + " must be even (and divisible by numHeads " + getInt(numHeads()) + ")");
    }
    tokenizerOptions();
  }

  @Override
  public TransformerTranslationModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String stage = getClass().getSimpleName();
    Column source = dataset.col(getInputCol());
    Column target = dataset.col(getTargetCol());
    String indicatorColumn = validationColumn();
    Column indicator = validationIndicator(dataset);
    Dataset<Row> texts = dataset.select(source, target, indicator);
    long total = SparkJobs.run("counting the training rows", texts::count);
    Dataset<Row> present = texts.where(source.isNotNull().and(target.isNotNull()).and(source.notEqual(""))
        .and(target.notEqual("")));
    TranslationTokenizers tokenizers = SparkJobs.run("learning the vocabularies", () -> TranslationTokenizers.learn(
        present.where(functions.not(indicator)), getTokenizerMode(), tokenizerOptions(), getSharedVocabulary()));
    PairEncoder encoder = new PairEncoder(tokenizers, new ValidationFlag(stage, indicatorColumn, 2),
        getInt(maxSourceLength()), getInt(maxTargetLength()));
    JavaRDD<Row> rows = present.javaRDD();
    PairCounts counts = PairCounts.of(SparkJobs.run("tokenizing the training rows",
        () -> rows.map(encoder::counts).fold(PairCounts.NONE.toArray(), PairCounts::merge)));
    long skippedEmpty = total - counts.training() - counts.validation() - counts.tooLong();
    String what = total + " rows: " + skippedEmpty + " with a null, empty or token-less side, " + counts.tooLong()
        + " longer than maxSourceLength " + getInt(maxSourceLength()) + " or maxTargetLength "
        + getInt(maxTargetLength()) + ", " + counts.validation() + " for validation";
    if (counts.training() == 0) {
      throw new BadInputException(stage + ": no usable training rows in columns '" + getInputCol() + "' and '"
          + getTargetCol() + "' (" + what + ")");
    }
    if (indicatorColumn != null && counts.validation() == 0) {
      throw new BadInputException(stage + ": the validation indicator column '" + indicatorColumn
          + "' marks no usable row for validation (" + what + ")");
    }
    if (skippedEmpty + counts.tooLong() > 0) {
      LoggerFactory.getLogger(getClass()).warn("{}: skipped {} of {} rows ({})", uid(),
          skippedEmpty + counts.tooLong(), total, what);
    }
    EncoderDecoderConfig config = encoderDecoderConfig(tokenizers.source().vocabSize(),
        tokenizers.target().vocabSize());
    EncoderDecoder network = EncoderDecoder.create(config, getLong(seed()));
    Run run;
    try (SparkTranslationPairs data = SparkTranslationPairs.of(encoder.usable(rows, false),
        config.sourceVocabSize(), config.targetVocabSize()); SparkTranslationPairs validation = indicatorColumn
            == null ? null : SparkTranslationPairs.of(encoder.usable(rows, true), config.sourceVocabSize(),
                config.targetVocabSize())) {
      run = train(network, data.objective(config, tokenizers.source(), tokenizers.target(), trainingConfig()),
          data, validation, tokenizers.source(), tokenizers.target());
    }
    TransformerTranslationModel model = new TransformerTranslationModel(uid(), network, tokenizers.source(),
        tokenizers.target());
    model.setSummary(new TransformerTranslationTrainingSummary(run.progress(), run.resumedFrom(),
        counts.training(), counts.validation(), skippedEmpty, counts.tooLong()));
    return fitted(model);
  }

  public static MLReader<TransformerTranslator> read() {
    return new DefaultParamsReadable<TransformerTranslator>() {}.read();
  }

  public static TransformerTranslator load(String path) {
    return read().load(path);
  }

  /**
   * The rows' usable pairs by kind, and the rows skipped for a side too long (the others skipped have no tokens).
   * Tasks return it as {@link #toArray()}: Spindle's Kryo registrations cover {@code long[]}, not this record.
   */
  record PairCounts(long training, long validation, long tooLong) {
    static final PairCounts NONE = new PairCounts(0, 0, 0);

    long[] toArray() {
      return new long[] {training, validation, tooLong};
    }

    static PairCounts of(long[] a) {
      return new PairCounts(a[0], a[1], a[2]);
    }

    static long[] merge(long[] a, long[] b) {
      return new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
    }
  }

  /**
   * A (source, target, validation flag) row to token ids on an executor, and whether the pair is usable; captures
   * only the tokenizers' JSON, the flag's column and the length limits.
   */
  private record PairEncoder(TokenizerFunction source, TokenizerFunction target, ValidationFlag flag, int maxSource,
      int maxTarget) implements Function<Row, TranslationPair> {
    PairEncoder(TranslationTokenizers tokenizers, ValidationFlag flag, int maxSource, int maxTarget) {
      this(new TokenizerFunction(tokenizers.source()), new TokenizerFunction(tokenizers.target()), flag, maxSource,
          maxTarget);
    }

    @Override
    public TranslationPair call(Row r) throws IOException {
      return new TranslationPair(source.call(r.getString(0)), target.call(r.getString(1)));
    }

    /** Whether {@code p} has tokens on both sides and neither is too long. */
    boolean usable(TranslationPair p) {
      return p.source().length > 0 && p.target().length > 0 && p.source().length <= maxSource
          && p.target().length <= maxTarget;
    }

    /** The usable pairs of {@code rows} for validation, or for training. */
    JavaRDD<TranslationPair> usable(JavaRDD<Row> rows, boolean validation) {
      return rows.filter(r -> flag.of(r) == validation).map(this).filter(this::usable);
    }

    /** The {@link PairCounts} of one row, as a task result. */
    long[] counts(Row r) throws IOException {
      TranslationPair p = call(r);
      boolean validation = flag.of(r);
      if (usable(p)) {
        return new PairCounts(validation ? 0 : 1, validation ? 1 : 0, 0).toArray();
      }
      boolean empty = p.source().length == 0 || p.target().length == 0;
      return new PairCounts(0, 0, empty ? 0 : 1).toArray();
    }
  }
}
