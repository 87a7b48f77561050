package io.spindle.ml;

import io.spindle.nn.ModelFolder;
import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import io.spindle.spark.HadoopFolder;
import java.io.Serializable;
import java.util.function.BiFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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

  private final DeclaredParams params;
  private final Kind<N, M> kind;
  private final ModelFolder.Contents<N> contents;
  private T summary;

  /**
   * A family's model as this base builds, copies, saves and loads it: its class, the format of its {@code data/}
   * folder, its constructor from a uid and a folder's contents, and whether it needs a tokenizer.
   */
  protected record Kind<N extends Network<?>, M>(Class<M> type, ModelFormat<?, N> format, Factory<N, M> factory,
      boolean needsTokenizer) implements Serializable {}

  /** A family's model constructor from a uid and a model folder's contents. */
  @FunctionalInterface
  protected interface Factory<N, M> extends Serializable {
    M create(String uid, ModelFolder.Contents<N> contents);
  }

  /**
   * Creates every Param, with the defaults declared with it and then the family's ({@link #familyDefaults}, the
   * same as its estimator's). Refuses contents without a tokenizer for a kind that needs one.
   */
  protected SpindleModel(String uid, Kind<N, M> kind, ModelFolder.Contents<N> contents) {
    if (kind.needsTokenizer() && contents.tokenizer() == null) {
      throw new IllegalArgumentException(kind.type().getSimpleName() + " needs a tokenizer (a saved model's "
          + ModelPersistence.DATA + "/ holds " + ModelFolder.TOKENIZER + ")");
    }
    this.params = new DeclaredParams(this, uid);
    params.createAll();
    this.kind = kind;
    this.contents = contents;
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
      throw new IllegalStateException("no training summary available for " + uid()
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

  @Override
  public M copy(ParamMap extra) {
    M copy = kind.factory().create(uid(), contents);
    copy.setSummary(summary);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelPersistence.writer(this, (model, dir, conf) -> HadoopFolder.save(kind.format(), contents, dir,
        conf));
  }

  /** The reader of a family's saved models, for its static {@code read()}. */
  protected static <N extends Network<?>, M extends SpindleModel<N, ?, M>> MLReader<M> reader(Kind<N, M> kind) {
    return ModelPersistence.reader(kind.type(), (uid, dir, conf) -> kind.factory().create(uid,
        HadoopFolder.load(kind.format(), dir, conf)));
  }

  /**
   * {@code dataset} with this model's output columns ({@link #transformSchema}): each partition's rows mapped by the
   * function {@code rows} makes for the input schema (it may broadcast the weights with the context it is given).
   */
  protected final Dataset<Row> mapPartitions(Dataset<?> dataset,
      BiFunction<JavaSparkContext, StructType, RowBatches> rows) {
    Dataset<Row> df = dataset.toDF();
    StructType out = transformSchema(df.schema(), true);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
    JavaRDD<Row> mapped = df.javaRDD().mapPartitions(rows.apply(jsc, df.schema()));
    return df.sparkSession().createDataFrame(mapped, out);
  }
}
