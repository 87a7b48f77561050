package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.HadoopFolder;
import io.spindle.spark.LmInference;
import io.spindle.train.BatchGradient;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * A trained {@link TransformerLanguageModel}: a {@link Gpt} and its tokenizer. {@code transform} adds per row:
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
 * <p>Saved as MLlib's parameter metadata plus {@code data/config.json}, {@code data/model.safetensors} and
 * {@code data/tokenizer.json}: {@code data/} is a GPT model folder ({@link LanguageModelFiles}).
 */
public class TransformerLanguageModelModel extends Model<TransformerLanguageModelModel>
    implements TransformerLanguageModelParams, MLWritable {
  private static final long serialVersionUID = 1L;
  /** Rows whose texts are scored together in {@code transform}. */
  public static final int BATCH = 64;

  private final String uid;
  private final Declared params;
  private final Gpt model;
  private final Tokenizer tokenizer;
  private TransformerLanguageModelTrainingSummary summary;

  /** A model around trained weights and their tokenizer (MLlib's copy and persistence build models this way too). */
  public TransformerLanguageModelModel(String uid, Gpt model, Tokenizer tokenizer) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
    this.model = model;
    this.tokenizer = tokenizer;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declaredParams() {
    return params;
  }

  /** The trained network. */
  public Gpt network() {
    return model;
  }

  /** The tokenizer learned from the training text. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** Whether a training summary is available (only for a model fitted in this session). */
  public boolean hasSummary() {
    return summary != null;
  }

  /** The training summary; throws if this model was not trained in this session (e.g. it was loaded). */
  public TransformerLanguageModelTrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("no training summary available for " + uid
          + " (summaries are not saved; this model was loaded or copied without one)");
    }
    return summary;
  }

  void setSummary(TransformerLanguageModelTrainingSummary summary) {
    this.summary = summary;
  }

  public TransformerLanguageModelModel setInputCol(String value) {
    set(inputCol(), value);
    return this;
  }

  public TransformerLanguageModelModel setPerplexityCol(String value) {
    set(perplexityCol(), value);
    return this;
  }

  public TransformerLanguageModelModel setPromptCol(String value) {
    set(promptCol(), value);
    return this;
  }

  public TransformerLanguageModelModel setGeneratedCol(String value) {
    set(generatedCol(), value);
    return this;
  }

  public TransformerLanguageModelModel setMaxNewTokens(int value) {
    set(maxNewTokens(), value);
    return this;
  }

  public TransformerLanguageModelModel setTemperature(double value) {
    set(temperature(), value);
    return this;
  }

  public TransformerLanguageModelModel setTopK(int value) {
    set(topK(), value);
    return this;
  }

  public TransformerLanguageModelModel setGenerationSeed(long value) {
    set(generationSeed(), value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> df = dataset.toDF();
    StructType out = transformSchema(df.schema(), true);
    StructType in = df.schema();
    boolean score = !getPerplexityCol().isEmpty();
    boolean generate = getPromptCol() != null && !getPromptCol().isEmpty();
    Generation generation = generate ? new Generation(in.fieldIndex(getPromptCol()), getPromptCol(),
        getInt(maxNewTokens()), getDouble(temperature()), getInt(topK()), getLong(generationSeed())) : null;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    Annotator annotator = new Annotator(LmInference.broadcast(jsc, model, tokenizer),
        score ? in.fieldIndex(getInputCol()) : -1, generation);
    JavaRDD<Row> rows = df.javaRDD().mapPartitions(annotator);
    return df.sparkSession().createDataFrame(rows, out);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, false);
  }

  @Override
  public TransformerLanguageModelModel copy(ParamMap extra) {
    TransformerLanguageModelModel copy = new TransformerLanguageModelModel(uid, model, tokenizer);
    copy.summary = summary;
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<TransformerLanguageModelModel> read() {
    return new Reader();
  }

  public static TransformerLanguageModelModel load(String path) {
    return read().load(path);
  }

  /** The generation settings a task needs, as plain values. */
  private record Generation(int column, String columnName, int maxNewTokens, double temperature, int topK,
      long seed) implements Serializable {}

  /**
   * Appends the perplexity and generated columns to a partition's rows, {@link #BATCH} rows at a time; captures
   * only the inference handle and column facts, never the model object.
   */
  private static final class Annotator implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final LmInference inference;
    private final int textColumn;
    private final Generation generation;

    Annotator(LmInference inference, int textColumn, Generation generation) {
      this.inference = inference;
      this.textColumn = textColumn;
      this.generation = generation;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return RowBatches.map(rows, BATCH, this::annotate);
    }

    private List<Row> annotate(List<Row> batch) {
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
        Row r = batch.get(b);
        List<Object> values = new ArrayList<>(r.length() + 2);
        for (int i = 0; i < r.length(); i++) {
          values.add(r.get(i));
        }
        if (scores != null) {
          values.add(scores[b].tokens() == 0 ? null : Math.exp(scores[b].meanLoss()));
        }
        if (generation != null) {
          values.add(generate(r));
        }
        out.add(RowFactory.create(values.toArray()));
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
        throw new BadInputException("TransformerLanguageModelModel: prompt in column '"
            + generation.columnName() + "': " + e.getMessage(), e);
      }
    }
  }

  private static final class Writer extends MLWriter {
    private final TransformerLanguageModelModel instance;

    Writer(TransformerLanguageModelModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
      try {
        HadoopFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(instance.model, instance.tokenizer),
            ModelFiles.dataDir(path), sparkSession().sparkContext().hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException("writing the model of " + instance.uid + " to " + path, e);
      }
    }
  }

  private static final class Reader extends MLReader<TransformerLanguageModelModel> {
    @Override
    public TransformerLanguageModelModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
          TransformerLanguageModelModel.class.getName());
      ModelFolder.Contents<Gpt> loaded;
      try {
        loaded = ModelFiles.requireTokenizer(path, HadoopFolder.load(GptFormat.INSTANCE, ModelFiles.dataDir(path),
            sparkSession().sparkContext().hadoopConfiguration()));
      } catch (IOException e) {
        throw new UncheckedIOException("reading the model saved at " + path, e);
      }
      TransformerLanguageModelModel model = new TransformerLanguageModelModel(metadata.uid(), loaded.model(),
          loaded.tokenizer());
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
