package io.spindle.ml;

import io.spindle.nn.ModelFolder;
import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import io.spindle.spark.HadoopFolder;
import java.util.Iterator;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The base of the models a {@link SpindleEstimator} fits ({@link TransformerClassificationModel},
 * {@link TransformerLMModel}, {@link TransformerTranslationModel}): a trained network and its tokenizers (a
 * {@link ModelFolder.Contents}), the estimator's Params, and the training summary of a fit in this session.
 *
 * <p>Persistence ({@link #write}, and each concrete class's static {@code read()} and {@code load(path)}): MLlib's
 * parameter metadata plus {@code data/}, a model folder of the family's {@link ModelFormat} written and read by the
 * one model-folder codec ({@link HadoopFolder}), the same files the command line and checkpoints use. Summaries are
 * not saved. {@link #copy} shares the network (models are immutable) and keeps the uid, as MLlib's models do.
 *
 * @param <N> the network
 * @param <T> the training summary
 * @param <M> the model itself
 */
public abstract class SpindleModel<N extends Network<?>, T extends TrainingSummary,
    M extends SpindleModel<N, T, M>> extends Model<M> implements TrainingParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final DeclaredParams params;
  private final ModelFormat<?, N> format;
  private final ModelFolder.Contents<N> contents;
  private T summary;

  /** Creates every Param (with the defaults shared by all families); the family sets its own defaults next. */
  protected SpindleModel(String uid, ModelFormat<?, N> format, ModelFolder.Contents<N> contents) {
    this.uid = uid;
    this.params = new DeclaredParams(this);
    params.createAll();
    this.format = format;
    this.contents = contents;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public DeclaredParams declaredParams() {
    return params;
  }

  /** The trained network. */
  public N network() {
    return contents.model();
  }

  /** The network and its tokenizers, as a model folder holds them. */
  protected ModelFolder.Contents<N> contents() {
    return contents;
  }

  /** Whether a training summary is available (only for a model fitted, or copied from one fitted, in this session). */
  public boolean hasSummary() {
    return summary != null;
  }

  /** The training summary; throws if this model was not trained in this session (e.g. it was loaded). */
  public T summary() {
    if (summary == null) {
      throw new IllegalStateException("no training summary available for " + uid
          + " (summaries are not saved; this model was loaded or copied without one)");
    }
    return summary;
  }

  void setSummary(T summary) {
    this.summary = summary;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, false);
  }

  /** A model of the same uid over {@code contents}, with the family's defaults (for {@link #copy}). */
  protected abstract M create(String uid, ModelFolder.Contents<N> contents);

  @Override
  public M copy(ParamMap extra) {
    M copy = create(uid, contents);
    copy.setSummary(summary);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelPersistence.writer(this, (model, dir, conf) -> HadoopFolder.save(format, contents, dir, conf));
  }

  /** The reader of a family's saved models: {@code create} makes one of a uid and the folder's contents. */
  protected static <N extends Network<?>, M extends SpindleModel<N, ?, M>> MLReader<M> reader(Class<M> type,
      ModelFormat<?, N> format, BiFunction<String, ModelFolder.Contents<N>, M> create) {
    return ModelPersistence.reader(type, (uid, dir, conf) -> create.apply(uid, HadoopFolder.load(format, dir, conf)));
  }

  /**
   * {@code dataset} with this model's output columns ({@link #transformSchema}): each partition's rows mapped by the
   * function {@code rows} makes for the input schema (it may broadcast the weights with the context it is given).
   */
  protected final Dataset<Row> mapPartitions(Dataset<?> dataset,
      BiFunction<JavaSparkContext, StructType, FlatMapFunction<Iterator<Row>, Row>> rows) {
    Dataset<Row> df = dataset.toDF();
    StructType out = transformSchema(df.schema(), true);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    JavaRDD<Row> mapped = df.javaRDD().mapPartitions(rows.apply(jsc, df.schema()));
    return df.sparkSession().createDataFrame(mapped, out);
  }
}
