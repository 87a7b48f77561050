package io.spindle.ml;

import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
import io.spindle.spark.LabeledSequence;
import io.spindle.spark.SparkClassifierTrainer;
import io.spindle.spark.SparkExamples;
import io.spindle.spark.SparkJobs;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.train.StepMetrics;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transformer-encoder sequence classifier as an MLlib estimator, the Java equivalent of a
 * {@code ProbabilisticClassifier}: features are token ids ({@code array<int>}, e.g. from {@link SpindleTokenizerModel}),
 * labels class indices 0..K-1 (numeric); the {@link TransformerClassificationModel} adds {@code rawPrediction},
 * {@code probability} and {@code prediction}. Training is {@link SparkClassifierTrainer}, data-parallel over the
 * dataset's partitions (each step one Spark job); the math lives in {@code io.spindle.nn} and {@code io.spindle.spark}.
 *
 * <p>Rows with null or empty ids are skipped and counted ({@link TransformerClassificationTrainingSummary#numSkipped},
 * and a warning). A null label, a label that is not a whole number in {@code [0, numClasses)}, or an id outside the
 * vocabulary is a clear {@link IllegalArgumentException} before the first step.
 */
public class TransformerClassifier extends Estimator<TransformerClassificationModel>
    implements TransformerClassifierParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TransformerClassifier.class);

  private final String uid;
  private final Declared params;

  public TransformerClassifier(String uid) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
  }

  public TransformerClassifier() {
    this(Identifiable.randomUID("transformerClassifier"));
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declaredParams() {
    return params;
  }

  public TransformerClassifier setFeaturesCol(String value) {
    set(featuresCol(), value);
    return this;
  }

  public TransformerClassifier setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public TransformerClassifier setPredictionCol(String value) {
    set(predictionCol(), value);
    return this;
  }

  public TransformerClassifier setRawPredictionCol(String value) {
    set(rawPredictionCol(), value);
    return this;
  }

  public TransformerClassifier setProbabilityCol(String value) {
    set(probabilityCol(), value);
    return this;
  }

  public TransformerClassifier setNumLayers(int value) {
    set(numLayers(), value);
    return this;
  }

  public TransformerClassifier setNumHeads(int value) {
    set(numHeads(), value);
    return this;
  }

  public TransformerClassifier setModelDim(int value) {
    set(modelDim(), value);
    return this;
  }

  public TransformerClassifier setMaxSeqLength(int value) {
    set(maxSeqLength(), value);
    return this;
  }

  public TransformerClassifier setDropout(double value) {
    set(dropout(), value);
    return this;
  }

  public TransformerClassifier setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public TransformerClassifier setStepSize(double value) {
    set(stepSize(), value);
    return this;
  }

  public TransformerClassifier setBatchSize(int value) {
    set(batchSize(), value);
    return this;
  }

  public TransformerClassifier setWarmupSteps(int value) {
    set(warmupSteps(), value);
    return this;
  }

  public TransformerClassifier setWeightDecay(double value) {
    set(weightDecay(), value);
    return this;
  }

  public TransformerClassifier setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public TransformerClassifier setNumClasses(int value) {
    set(numClasses(), value);
    return this;
  }

  public TransformerClassifier setVocabSize(int value) {
    set(vocabSize(), value);
    return this;
  }

  @Override
  public TransformerClassificationModel fit(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    transformSchema(schema, true);
    String label = getLabelCol();
    JavaRDD<Row> rows = dataset.select(dataset.col(getFeaturesCol()), dataset.col(label).cast("double"))
        .javaRDD();
    long total = SparkJobs.run("counting the training rows", rows::count);
    JavaRDD<LabeledSequence> examples = rows.filter(r -> !r.isNullAt(0) && !r.getList(0).isEmpty())
        .map(r -> example(r, label));
    long usable = SparkJobs.run("reading the training rows", examples::count);
    if (usable == 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": no training rows with token ids in column '"
          + getFeaturesCol() + "' (" + total + " rows, all null or empty)");
    }
    int[] maxima = SparkJobs.run("finding the largest id and label", () -> examples
        .map(e -> new int[] {max(e.ids()), e.label()})
        .reduce((a, b) -> new int[] {Math.max(a[0], b[0]), Math.max(a[1], b[1])}));
    int classes = getInt(numClasses()) > 0 ? getInt(numClasses()) : Math.max(2, maxima[1] + 1);
    if (maxima[1] >= classes) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": label " + maxima[1] + " in column '" + label
          + "' is outside the " + classes + " classes 0.." + (classes - 1) + " set by numClasses");
    }
    int vocab = vocabSizeOf(schema.apply(getFeaturesCol()), maxima[0]);
    EncoderConfig config = encoderConfig(vocab, classes);
    EncoderClassifier model = EncoderClassifier.create(config, getSeed());
    List<Double> losses = new ArrayList<>();
    try (SparkExamples data = SparkExamples.of(examples, vocab, classes)) {
      if (total > usable) {
        LOG.warn("{}: skipped {} of {} rows whose '{}' is null or empty", uid, total - usable, total,
            getFeaturesCol());
      }
      new SparkClassifierTrainer(model, trainingConfig(), SparkTrainingOptions.defaults())
          .train(data, null, (StepMetrics m) -> {
            losses.add(m.loss());
            if (m.step() % 50 == 0 || m.step() == getInt(maxIter())) {
              LOG.info("{}: step {}/{}, loss {}, {} examples/s", uid, m.step(), getInt(maxIter()),
                  String.format("%.4f", m.loss()), String.format("%.0f", m.tokensPerSecond()));
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("training " + uid, e);
    }
    double[] history = losses.stream().mapToDouble(Double::doubleValue).toArray();
    TransformerClassificationModel fitted = new TransformerClassificationModel(uid, model);
    fitted.setSummary(new TransformerClassificationTrainingSummary(history, usable, total - usable));
    return copyValues(fitted, extractParamMap()).setParent(this);
  }

  /** The vocabulary size: the param, else the column's metadata, else one more than the largest id. */
  private int vocabSizeOf(StructField features, int maxId) {
    int vocab = getInt(vocabSize());
    if (vocab == 0 && features.metadata().contains(SpindleTokenizerModel.VOCAB_SIZE_KEY)) {
      vocab = (int) features.metadata().getLong(SpindleTokenizerModel.VOCAB_SIZE_KEY);
    }
    vocab = vocab == 0 ? maxId + 1 : vocab;
    if (maxId >= vocab) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": token id " + maxId + " in column '"
          + getFeaturesCol() + "' is outside the vocabulary of " + vocab + " tokens");
    }
    return vocab;
  }

  private static LabeledSequence example(Row r, String labelColumn) {
    if (r.isNullAt(1)) {
      throw new IllegalArgumentException("TransformerClassifier: null label in column '" + labelColumn + "'");
    }
    double value = r.getDouble(1);
    if (!(value >= 0 && value == Math.rint(value) && value < Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("TransformerClassifier: label " + value + " in column '" + labelColumn
          + "' is not a class index (a whole number 0..K-1)");
    }
    List<Integer> list = r.getList(0);
    int[] ids = new int[list.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = list.get(i);
      if (id == null) {
        throw new IllegalArgumentException("TransformerClassifier: null token id at position " + i);
      }
      ids[i] = id;
    }
    return new LabeledSequence(ids, (int) value);
  }

  private static int max(int[] values) {
    int m = Integer.MIN_VALUE;
    for (int v : values) {
      m = Math.max(m, v);
    }
    return m;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema, true);
  }

  @Override
  public TransformerClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TransformerClassifier> read() {
    return new DefaultParamsReadable<TransformerClassifier>() {}.read();
  }

  public static TransformerClassifier load(String path) {
    return read().load(path);
  }
}
