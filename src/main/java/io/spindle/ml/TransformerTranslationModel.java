package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.TranslationInference;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A trained {@link TransformerTranslator}: adds a translation column (string, {@code predictionCol}) for a source
 * text column, decoded greedily ({@code beamSize} 1) or by beam search with GNMT's length penalty
 * ({@code lengthPenalty}), at most {@code maxOutputLength} tokens each.
 *
 * <p>{@code transform} broadcasts the weights once and translates each partition in batches of {@link #BATCH}
 * rows, the model and tokenizers built once per task. A null source gives a null translation, a source without
 * tokens an empty one; a source longer than {@code maxSourceLength} tokens is truncated; characters or words outside
 * the vocabulary read as {@code <unk>}. The target column is not needed.
 *
 * <p>Saved as MLlib's parameter metadata plus {@code data/}, a model folder ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}, and {@code target_tokenizer.json} for separate vocabularies).
 */
public class TransformerTranslationModel
    extends SpindleModel<EncoderDecoder, TransformerTranslationTrainingSummary, TransformerTranslationModel>
    implements TransformerTranslatorParams<TransformerTranslationModel> {
  private static final long serialVersionUID = 1L;
  /** Rows per decoding batch in {@code transform}. */
  public static final int BATCH = 32;
  private static final Kind<EncoderDecoder, TransformerTranslationModel> KIND = new Kind<>(
      TransformerTranslationModel.class, EncoderDecoderFormat.INSTANCE, TransformerTranslationModel::new, true);

  /**
   * A model around a trained network and its tokenizers (the same object twice for a shared vocabulary); MLlib's
   * copy and persistence build models this way too.
   */
  public TransformerTranslationModel(String uid, EncoderDecoder network, Tokenizer sourceTokenizer,
      Tokenizer targetTokenizer) {
    this(uid, new ModelFolder.Contents<>(network, sourceTokenizer, targetTokenizer));
  }

  private TransformerTranslationModel(String uid, ModelFolder.Contents<EncoderDecoder> contents) {
    super(uid, KIND, contents);
  }

  /** The tokenizer of the source side. */
  public Tokenizer sourceTokenizer() {
    return contents().tokenizer();
  }

  /** The tokenizer of the target side (the source's when the vocabulary is shared). */
  public Tokenizer targetTokenizer() {
    return contents().targetTokenizer();
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return mapPartitions(dataset, (jsc, schema) -> new Translating(TranslationInference.broadcast(jsc, network(),
        sourceTokenizer(), targetTokenizer()), schema.fieldIndex(getInputCol()), getInt(beamSize()),
        getDouble(lengthPenalty()), getInt(maxOutputLength()), BATCH));
  }

  public static MLReader<TransformerTranslationModel> read() {
    return reader(KIND);
  }

  public static TransformerTranslationModel load(String path) {
    return read().load(path);
  }

  /** Translates a partition's rows in batches; captures only the inference handle and small values. */
  private record Translating(TranslationInference inference, int column, int beamSize, double lengthPenalty,
      int maxOutputLength, int batchSize) implements RowBatches {
    @Override
    public List<Row> process(List<Row> batch) {
      List<String> sources = new ArrayList<>(batch.size());
      for (Row r : batch) {
        sources.add(r.isNullAt(column) ? null : r.getString(column));
      }
      List<String> translations = inference.translate(sources, beamSize, lengthPenalty, maxOutputLength);
      List<Row> out = new ArrayList<>(batch.size());
      for (int b = 0; b < batch.size(); b++) {
        out.add(RowBatches.appended(batch.get(b), translations.get(b)));
      }
      return out;
    }
  }
}
