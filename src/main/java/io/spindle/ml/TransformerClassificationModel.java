package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.ClassifierInference;
import io.spindle.spark.HadoopFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * A trained {@link TransformerClassifier}: adds {@code rawPrediction} (the K class logits), {@code probability}
 * (their softmax) and {@code prediction} (the arg-max class index, as a double) for a column of token ids.
 *
 * <p>{@code transform} broadcasts the weights once and scores each partition in batches of {@link #BATCH} rows, the
 * model built once per task from the broadcast. It reads only the features column: any other column, a label
 * column with classes the model never saw included, passes through unchanged (only {@link #evaluate} reads labels,
 * and refuses such a class). A row whose ids are null or empty is an error naming the column (filter such rows out
 * first), as is a null id or an id outside the model's vocabulary (naming the id and its position); sequences
 * longer than {@code maxSeqLength} are truncated.
 *
 * <p>Saved as MLlib's parameter metadata plus {@code data/config.json} and {@code data/model.safetensors}.
 */
public class TransformerClassificationModel extends Model<TransformerClassificationModel>
    implements TransformerClassifierParams, MLWritable {
  private static final long serialVersionUID = 1L;
  /** Rows per forward pass in {@code transform}. */
  public static final int BATCH = 64;

  private final String uid;
  private final Declared params;
  private final EncoderClassifier model;
  private TransformerClassificationTrainingSummary summary;

  /** A model around trained weights (MLlib's copy and persistence build models this way too). */
  public TransformerClassificationModel(String uid, EncoderClassifier model) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
    this.model = model;
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
  public EncoderClassifier network() {
    return model;
  }

  /** K, the classes the model was trained on (predictions are 0..K-1). */
  public int getNumClassesTrained() {
    return model.config().numClasses();
  }

  public boolean hasSummary() {
    return summary != null;
  }

  /** The training summary; throws if this model was not trained in this session (e.g. it was loaded). */
  public TransformerClassificationTrainingSummary summary() {
    if (summary == null) {
      throw new IllegalStateException("no training summary available for " + uid
          + " (summaries are not saved; this model was loaded or copied without one)");
    }
    return summary;
  }

  void setSummary(TransformerClassificationTrainingSummary summary) {
    this.summary = summary;
  }

  public TransformerClassificationModel setFeaturesCol(String value) {
    set(featuresCol(), value);
    return this;
  }

  public TransformerClassificationModel setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public TransformerClassificationModel setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public TransformerClassificationModel setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> df = dataset.toDF();
    StructType out = transformSchema(df.schema(), true);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    Scorer scorer = new Scorer(ClassifierInference.broadcast(jsc, model), df.schema().fieldIndex(getFeaturesCol()),
        getFeaturesCol());
    JavaRDD<Row> scored = df.javaRDD().mapPartitions(scorer);
    return df.sparkSession().createDataFrame(scored, out);
  }

  /**
   * Scores labelled {@code dataset} and reports the accuracy. A label that is null, not a whole number, or outside
   * the classes the model was trained on (0..K-1) is an {@link IllegalArgumentException} naming it, before any
   * scoring.
   */
  public TransformerClassificationSummary evaluate(Dataset<?> dataset) {
    String stage = getClass().getSimpleName();
    Schemas.requireNumeric(stage, dataset.schema(), getLabelCol());
    int k = getNumClassesTrained();
    Column label = dataset.col(getLabelCol()).cast("double");
    List<Row> bad = dataset.select(label).where(label.isNull().or(label.lt(0)).or(label.geq(k))
        .or(label.notEqual(functions.floor(label)))).limit(1).collectAsList();
    if (!bad.isEmpty()) {
      throw new BadInputException(stage + ": label " + (bad.get(0).isNullAt(0) ? "null" : bad.get(0).get(0))
          + " in column '" + getLabelCol() + "' is not one of the " + k + " classes the model was trained on, 0.."
          + (k - 1));
    }
    Dataset<Row> predictions = transform(dataset);
    long count = predictions.count();
    long correct = predictions.where(predictions.col(getLabelCol()).cast("double")
        .equalTo(predictions.col(getPredictionCol()))).count();
    return new TransformerClassificationSummary(predictions, count == 0 ? Double.NaN : (double) correct / count,
        count);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, false);
  }

  @Override
  public TransformerClassificationModel copy(ParamMap extra) {
    TransformerClassificationModel copy = new TransformerClassificationModel(uid, model);
    copy.summary = summary;
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<TransformerClassificationModel> read() {
    return new Reader();
  }

  public static TransformerClassificationModel load(String path) {
    return read().load(path);
  }

  /** Scores a partition's rows in batches; captures only the inference handle and column facts. */
  private static final class Scorer implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final ClassifierInference inference;
    private final int column;
    private final String columnName;

    Scorer(ClassifierInference inference, int column, String columnName) {
      this.inference = inference;
      this.column = column;
      this.columnName = columnName;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return RowBatches.map(rows, BATCH, this::score);
    }

    private List<Row> score(List<Row> batch) {
      List<int[]> sequences = new ArrayList<>(batch.size());
      int vocab = inference.vocabSize();
      for (Row r : batch) {
        if (r.isNullAt(column) || r.getList(column).isEmpty()) {
          throw new BadInputException("TransformerClassificationModel: a row has no token ids in column '"
              + columnName + "' (null or empty); filter such rows out before transform");
        }
        List<Integer> list = r.getList(column);
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
          Integer id = list.get(i);
          if (id == null || id < 0 || id >= vocab) {
            throw new BadInputException("TransformerClassificationModel: "
                + (id == null ? "a null token id" : "token id " + id + ", outside the model's vocabulary (ids 0.."
                + (vocab - 1) + "),") + " at position " + i + " in column '" + columnName + "'");
          }
          ids[i] = id;
        }
        sequences.add(ids);
      }
      int k = inference.numClasses();
      float[] logits = inference.logits(sequences); // (B, K)
      List<Row> out = new ArrayList<>(batch.size());
      for (int b = 0; b < batch.size(); b++) {
        double[] raw = new double[k];
        int best = 0;
        for (int j = 0; j < k; j++) {
          raw[j] = logits[b * k + j];
          best = raw[j] > raw[best] ? j : best;
        }
        Row r = batch.get(b);
        Object[] values = new Object[r.length() + 3];
        for (int i = 0; i < r.length(); i++) {
          values[i] = r.get(i);
        }
        values[r.length()] = Vectors.dense(raw);
        values[r.length() + 1] = Vectors.dense(ClassifierInference.probabilities(logits, b, k));
        values[r.length() + 2] = (double) best;
        out.add(RowFactory.create(values));
      }
      return out;
    }
  }

  private static final class Writer extends MLWriter {
    private final TransformerClassificationModel instance;

    Writer(TransformerClassificationModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
      try {
        HadoopFolder.save(EncoderClassifierFormat.INSTANCE, ModelFolder.Contents.of(instance.model, null),
            ModelFiles.dataDir(path), sparkSession().sparkContext().hadoopConfiguration());
      } catch (IOException e) {
        throw new UncheckedIOException("writing the weights of " + instance.uid + " to " + path, e);
      }
    }
  }

  private static final class Reader extends MLReader<TransformerClassificationModel> {
    @Override
    public TransformerClassificationModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
          TransformerClassificationModel.class.getName());
      EncoderClassifier network;
      try {
        network = HadoopFolder.load(EncoderClassifierFormat.INSTANCE, ModelFiles.dataDir(path),
            sparkSession().sparkContext().hadoopConfiguration()).model();
      } catch (IOException e) {
        throw new UncheckedIOException("reading the weights saved at " + path, e);
      }
      TransformerClassificationModel model = new TransformerClassificationModel(metadata.uid(), network);
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
