package io.spindle.ml;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.WordTokenizer;
import java.util.Iterator;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Learns a character or word vocabulary from a string column ({@link io.spindle.data.CharTokenizer},
 * {@link io.spindle.data.WordTokenizer}, specials {@code <pad> <unk> <bos> <eos>} at ids 0..3) and returns a
 * {@link SpindleTokenizerModel} that adds an {@code array<int>} column of token ids.
 *
 * <p>The vocabulary is learned on the driver from the texts streamed partition by partition
 * ({@code toLocalIterator}), so driver memory holds one partition and the counts, not the column. Null texts are
 * skipped when learning.
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
    Iterable<String> texts = () -> new Texts(dataset.select(getInputCol()).toLocalIterator());
    Tokenizer tokenizer = getMode().equals("word") ? WordTokenizer.learn(texts, tokenizerOptions())
        : CharTokenizer.learn(texts, tokenizerOptions());
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

  /** The non-null strings of a one-column row iterator. */
  private static final class Texts implements Iterator<String> {
    private final Iterator<Row> rows;
    private String next;

    Texts(Iterator<Row> rows) {
      this.rows = rows;
      advance();
    }

    private void advance() {
      next = null;
      while (next == null && rows.hasNext()) {
        next = rows.next().getString(0);
      }
    }

    @Override
    public boolean hasNext() {
      return next != null;
    }

    @Override
    public String next() {
      String s = next;
      advance();
      return s;
    }
  }
}
