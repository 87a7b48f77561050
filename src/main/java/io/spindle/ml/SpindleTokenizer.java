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
 * Learns a character, word or byte-level BPE vocabulary from a string column ({@link io.spindle.data.CharTokenizer},
 * {@link io.spindle.data.WordTokenizer}, {@link io.spindle.data.BpeTokenizer}; specials {@code <pad> <unk> <bos>
 * <eos>} at ids 0..3) and returns a {@link SpindleTokenizerModel} that adds an {@code array<int>} column of token ids.
 *
 * <p>The vocabulary is learned with {@code SparkVocabulary}: token (for BPE, pre-token) counts per partition on the
 * executors, merged on the driver, so no row reaches the driver; BPE's merges are then learned on the driver from
 * the counts. Null texts are skipped when learning.
 */
public class SpindleTokenizer extends Estimator<SpindleTokenizerModel>
    implements SpindleTokenizerParams.Setters<SpindleTokenizer>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final DeclaredParams params;

  public SpindleTokenizer(String uid) {
    this.params = new DeclaredParams(this, uid);
    params.createAll();
  }

  public SpindleTokenizer() {
    this(Identifiable.randomUID("spindleTokenizer"));
  }

  @Override
  public DeclaredParams declaredParams() {
    return params;
  }

  @Override
  public SpindleTokenizer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public SpindleTokenizerModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    Column text = dataset.col(getInputCol());
    JavaRDD<String> texts = dataset.select(text).where(text.isNotNull()).javaRDD().map(r -> r.getString(0));
    Tokenizer tokenizer = SparkVocabulary.learnFromDocuments(texts, getMode(), tokenizerOptions());
    return copyValues(new SpindleTokenizerModel(uid(), tokenizer), extractParamMap()).setParent(this);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    tokenizerOptions(); // refuses a maxVocabSize without room for a learned token
    return validateAndTransformSchema(schema);
  }

  public static MLReader<SpindleTokenizer> read() {
    return new DefaultParamsReadable<SpindleTokenizer>() {}.read();
  }

  public static SpindleTokenizer load(String path) {
    return read().load(path);
  }
}
