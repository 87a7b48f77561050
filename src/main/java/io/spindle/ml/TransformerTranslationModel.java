package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.HadoopFolder;
import io.spindle.spark.TranslationInference;
import java.io.IOException;
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
public class TransformerTranslationModel extends Model<TransformerTranslationModel>
    implements TransformerTranslatorParams, MLWritable {
  private static final long serialVersionUID = 1L;
  /** Rows per decoding batch in {@code transform}. */
  public static final int BATCH = 32;

  private final String uid;
  private final Declared params;
  private final EncoderDecoder network;
  private final Tokenizer sourceTokenizer;
  private final Tokenizer targetTokenizer;
  private TransformerTranslationTrainingSummary summary;

  /**
   * A model around a trained network and its tokenizers (the same object twice for a shared vocabulary); MLlib's
   * copy and persistence build models this way too.
   */
  public TransformerTranslationModel(String uid, EncoderDecoder network, Tokenizer sourceTokenizer,
      Tokenizer targetTokenizer) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
    this.network = network;
    this.sourceTokenizer = sourceTokenizer;
    this.targetTokenizer = targetTokenizer;
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
  public EncoderDecoder network() {
    return network;
  }

  /** The tokenizer of the source side. */
  public Tokenizer sourceTokenizer() {
    return sourceTokenizer;
  }

  /** The tokenizer of the target side (the source's when the vocabulary is shared). */
  public Tokenizer targetTokenizer() {
    return targetTokenizer;
  }

  public boolean hasSummary() {
    return summary != null;
  }

  /** The training summary; throws if this model was not trained in this session (e.g. it was loaded). */
  public TransformerTranslationTrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("no training summary available for " + uid
          + " (summaries are not saved; this model was loaded or copied without one)");
    }
    return summary;
  }

  void setSummary(TransformerTranslationTrainingSummary summary) {
    this.summary = summary;
  }

  public TransformerTranslationModel setInputCol(String value) {
    set(inputCol(), value);
    return this;
  }

  public TransformerTranslationModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public TransformerTranslationModel setBeamSize(int value) {
    set(beamSize(), value);
    return this;
  }

  public TransformerTranslationModel setMaxOutputLength(int value) {
    set(maxOutputLength(), value);
    return this;
  }

  public TransformerTranslationModel setLengthPenalty(double value) {
    set(lengthPenalty(), value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> df = dataset.toDF();
    StructType out = transformSchema(df.schema(), true);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    TranslationInference inference = TranslationInference.broadcast(jsc, network, sourceTokenizer, targetTokenizer);
    Translating translating = new Translating(inference, df.schema().fieldIndex(getInputCol()),
        getInt(beamSize()), getDouble(lengthPenalty()), getInt(maxOutputLength()));
    JavaRDD<Row> translated = df.javaRDD().mapPartitions(translating);
    return df.sparkSession().createDataFrame(translated, out);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, false);
  }

  @Override
  public TransformerTranslationModel copy(ParamMap extra) {
    TransformerTranslationModel copy = new TransformerTranslationModel(uid, network, sourceTokenizer,
        targetTokenizer);
    copy.summary = summary;
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<TransformerTranslationModel> read() {
    return new Reader();
  }

  public static TransformerTranslationModel load(String path) {
    return read().load(path);
  }

  /** Translates a partition's rows in batches; captures only the inference handle and small values. */
  private static final class Translating implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final TranslationInference inference;
    private final int column;
    private final int beamSize;
    private final double lengthPenalty;
    private final int maxOutputLength;

    Translating(TranslationInference inference, int column, int beamSize, double lengthPenalty,
        int maxOutputLength) {
      this.inference = inference;
      this.column = column;
      this.beamSize = beamSize;
      this.lengthPenalty = lengthPenalty;
      this.maxOutputLength = maxOutputLength;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return RowBatches.map(rows, BATCH, this::translate);
    }

    private List<Row> translate(List<Row> batch) {
      List<String> sources = new ArrayList<>(batch.size());
      for (Row r : batch) {
        sources.add(r.isNullAt(column) ? null : r.getString(column));
      }
      List<String> translations = inference.translate(sources, beamSize, lengthPenalty, maxOutputLength);
      List<Row> out = new ArrayList<>(batch.size());
      for (int b = 0; b < batch.size(); b++) {
        Row r = batch.get(b);
        Object[] values = new Object[r.length() + 1];
        for (int i = 0; i < r.length(); i++) {
          values[i] = r.get(i);
        }
        values[r.length()] = translations.get(b);
        out.add(RowFactory.create(values));
      }
      return out;
    }
  }

  private static final class Writer extends MLWriter {
    private final TransformerTranslationModel instance;

    Writer(TransformerTranslationModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
      try {
        HadoopFolder.save(EncoderDecoderFormat.INSTANCE, new ModelFolder.Contents<>(instance.network,
            instance.sourceTokenizer, instance.targetTokenizer), ModelFiles.dataDir(path),
            sparkSession().sparkContext().hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException("writing the weights of " + instance.uid + " to " + path, e);
      }
    }
  }

  private static final class Reader extends MLReader<TransformerTranslationModel> {
    @Override
    public TransformerTranslationModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
          TransformerTranslationModel.class.getName());
      ModelFolder.Contents<EncoderDecoder> files;
      try {
        files = ModelFiles.requireTokenizer(path, HadoopFolder.load(EncoderDecoderFormat.INSTANCE,
            ModelFiles.dataDir(path), sparkSession().sparkContext().hadoopConfiguration()));
      } catch (IOException e) {
        throw new UncheckedIOException("reading the weights saved at " + path, e);
      }
      TransformerTranslationModel model = new TransformerTranslationModel(metadata.uid(), files.model(),
          files.tokenizer(), files.targetTokenizer());
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
