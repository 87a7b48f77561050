package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.LmInference;
import io.spindle.train.BatchGradient;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A trained {@link TransformerLM}: a {@link Gpt} and its tokenizer. {@code transform} adds per row:
 *
 * <ul>
 *   <li>{@code perplexityCol} (double): {@code exp} of the mean next-token cross-entropy of the row's text alone
 *       (no newline before or after it), over consecutive windows of the context length exactly as
 *       {@code spindle score} computes it ({@link io.spindle.train.Perplexity}). Characters or words outside the
 *       vocabulary count as {@code <unk>}, as in {@code spindle score}. Null for a null text or one of fewer than 2
 *       tokens (nothing to predict). Set the column to {@code ""} to skip it (the text column is then not needed).
 *   <li>{@code generatedCol} (string), when {@code promptCol} is set: {@code maxNewTokens} tokens continuing the
 *       row's prompt (the continuation only), drawn with {@code temperature} and {@code topK} using the KV-cached
 *       {@link io.spindle.nn.Sampler}, seeded by {@code generationSeed} and the prompt's tokens, so equal prompts get
 *       equal text whatever the partitioning and row order. A null or empty prompt gives null. A prompt character
 *       or word outside the vocabulary fails the job with an {@link IllegalArgumentException} naming it and the
 *       column, as {@code spindle generate} refuses it.
 * </ul>
 *
 * <p>The weights and the tokenizer are broadcast once per {@code transform} ({@link LmInference}); each task builds
 * the model once and scores its partition {@link #BATCH} rows at a time, their windows packed into shared forward
 * passes; prompts are generated one after another (generation is sequential per prompt).
 *
 * <p>Saved as MLlib's parameter metadata plus {@code data/}, a GPT model folder ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}) that {@code spindle score} and {@code spindle generate} read.
 */
public class TransformerLMModel extends SpindleModel<Gpt, TransformerLMTrainingSummary, TransformerLMModel>
    implements TransformerLMParams<TransformerLMModel> {
  private static final long serialVersionUID = 1L;
  /** Rows whose texts are scored together in {@code transform}. */
  public static final int BATCH = 64;
  private static final Kind<Gpt, TransformerLMModel> KIND = new Kind<>(TransformerLMModel.class, GptFormat.INSTANCE,
      TransformerLMModel::new, true);

  /** A model around trained weights and their tokenizer (MLlib's copy and persistence build models this way too). */
  public TransformerLMModel(String uid, Gpt network, Tokenizer tokenizer) {
    this(uid, ModelFolder.Contents.of(network, tokenizer));
  }

  private TransformerLMModel(String uid, ModelFolder.Contents<Gpt> contents) {
    super(uid, KIND, contents);
  }

  /** The tokenizer learned from the training text. */
  public Tokenizer tokenizer() {
    return contents().tokenizer();
  }

  /**
   * A tokenizer stage with this model's tokenizer, reading {@code inputCol} into {@code outputCol}: the first stage
   * of a classifier fine-tuned from this model ({@link TransformerClassifier#setInitialModel}), whose ids must come
   * from the tokenizer the language model was trained with.
   */
  public SpindleTokenizerModel tokenizerModel(String inputCol, String outputCol) {
    return new SpindleTokenizerModel(Identifiable.randomUID("spindleTokenizer"), tokenizer()).setInputCol(inputCol)
        .setOutputCol(outputCol);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    boolean score = !getPerplexityCol().isEmpty();
    boolean generate = isNonEmpty(promptCol());
    return mapPartitions(dataset, (jsc, schema) -> new Annotator(LmInference.broadcast(jsc, network(), tokenizer()),
        score ? schema.fieldIndex(getInputCol()) : -1, generate ? new Generation(schema.fieldIndex(getPromptCol()),
            getPromptCol(), getInt(maxNewTokens()), getDouble(temperature()), getInt(topK()),
            getLong(generationSeed())) : null, BATCH));
  }

  public static MLReader<TransformerLMModel> read() {
    return reader(KIND);
  }

  public static TransformerLMModel load(String path) {
    return read().load(path);
  }

  /** The generation settings a task needs, as plain values. */
  private record Generation(int column, String columnName, int maxNewTokens, double temperature, int topK,
      long seed) implements Serializable {}

  /**
   * Appends the perplexity and generated columns to a partition's rows, {@link #BATCH} rows at a time; captures
   * only the inference handle and column facts, never the model object.
   */
  private record Annotator(LmInference inference, int textColumn, Generation generation, int batchSize)
      implements RowBatches {
    @Override
    public List<Row> process(List<Row> batch) {
      BatchGradient.Result[] scores = null;
      if (textColumn >= 0) {
        List<String> texts = new ArrayList<>(batch.size());
        for (Row r : batch) {
          texts.add(r.isNullAt(textColumn) ? null : r.getString(textColumn));
        }
        scores = inference.score(texts);
      }
      List<Row> out = new ArrayList<>(batch.size());
      for (int b = 0; b < batch.size(); b++) {
        List<Object> values = new ArrayList<>(2);
        if (scores != null) {
          values.add(scores[b].tokens() == 0 ? null : Math.exp(scores[b].meanLoss()));
        }
        if (generation != null) {
          values.add(generate(batch.get(b)));
        }
        out.add(RowBatches.appended(batch.get(b), values.toArray()));
      }
      return out;
    }

    private String generate(Row r) {
      String prompt = r.isNullAt(generation.column()) ? null : r.getString(generation.column());
      if (prompt == null || prompt.isEmpty()) {
        return null;
      }
      try {
        return inference.generate(prompt, generation.maxNewTokens(), generation.temperature(), generation.topK(),
            generation.seed());
      } catch (BadInputException e) {
        throw new BadInputException("TransformerLMModel: prompt in column '" + generation.columnName() + "': "
            + e.getMessage(), e);
      }
    }
  }
}
