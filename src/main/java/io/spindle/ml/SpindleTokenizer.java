package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.spark.SparkVocabulary;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Learns a character or word vocabulary from a string column ({@link io.spindle.data.CharTokenizer},
 * {@link io.spindle.data.WordTokenizer}, specials {@code <pad> <unk> <bos> <eos>} at ids 0..3) and returns a
 * {@link SpindleTokenizerModel} that adds an {@code array<int>} column of token ids.
 *
 * <p>The vocabulary is learned with {@code SparkVocabulary}: token counts per partition on the executors, merged on
 * the driver, so no row reaches the driver. Null texts are skipped when learning.
 */
public class SpindleTokenizer extends Estimator<SpindleTokenizerModel>
    implements SpindleTokenizerParams, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Declared params;

  public SpindleTokenizer(String uid) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
  }

  public SpindleTokenizer() {
    this(Identifiable.randomUID("spindleTokenizer"));
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public Declared declaredParams() {
    return params;
  }

  public SpindleTokenizer setInputCol(String value) {
    set(inputCol(), value);
    return this;
  }

  public SpindleTokenizer setOutputCol(String value) {
    set(outputCol(), value);
    return this;
  }

  public SpindleTokenizer setMode(String value) {
    set(mode(), value);
    return this;
  }

  public SpindleTokenizer setMinCount(int value) {
    set(minCount(), value);
    return this;
  }

  public SpindleTokenizer setMaxVocabSize(int value) {
    set(maxVocabSize(), value);
    return this;
  }

  public SpindleTokenizer setLowercase(boolean value) {
    set(lowercase(), value);
    return this;
  }

  @Override
  public SpindleTokenizerModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Column text = dataset.col(getInputCol());
    JavaRDD<String> texts = dataset.select(text).where(text.isNotNull()).javaRDD().map(r -> r.getString(0));
    Tokenizer tokenizer = SparkVocabulary.learnFromDocuments(texts, getMode(), tokenizerOptions());
    SpindleTokenizerModel model = new SpindleTokenizerModel(uid, tokenizer);
    return copyValues(model, extractParamMap()).setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return validateAndTransformSchema(schema);
  }

  @Override
  public SpindleTokenizer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<SpindleTokenizer> read() {
    return new DefaultParamsReadable<SpindleTokenizer>() {}.read();
  }

  public static SpindleTokenizer load(String path) {
    return read().load(path);
  }
}
