package io.spindle.ml;

import io.spindle.data.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;

/**
 * Adds a column of token ids ({@code array<int>}) for a string column, with the tokenizer learned by
 * {@link SpindleTokenizer}. Characters or words outside the vocabulary become {@code <unk>} (id 1); a null text gives
 * null ids, an empty one an empty array. The output column's metadata records the vocabulary size under
 * {@link #VOCAB_SIZE_KEY}, which {@link TransformerClassifier} reads.
 *
 * <p>Saved as MLlib's parameter metadata plus {@code data/tokenizer.json} (Spindle's tokenizer format).
 */
public class SpindleTokenizerModel extends Model<SpindleTokenizerModel>
    implements SpindleTokenizerParams, MLWritable {
  private static final long serialVersionUID = 1L;
  /** Metadata key of the ids column: the vocabulary size, so ids are in {@code [0, vocabSize)}. */
  public static final String VOCAB_SIZE_KEY = "spindle.vocabSize";

  private final String uid;
  private final Declared params;
  private final Tokenizer tokenizer;

  /** A model around {@code tokenizer} (MLlib's copy and persistence build models this way too). */
  public SpindleTokenizerModel(String uid, Tokenizer tokenizer) {
    this.uid = uid;
    this.params = new Declared(this);
    params.setDefaults(this);
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

  /** The learned tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public int vocabSize() {
    return tokenizer.vocabSize();
  }

  public SpindleTokenizerModel setInputCol(String value) {
    set(inputCol(), value);
    return this;
  }

  public SpindleTokenizerModel setOutputCol(String value) {
    set(outputCol(), value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    UserDefinedFunction encode = functions.udf(new TokenizerFunction(tokenizer), Schemas.IDS);
    Column ids = encode.apply(dataset.col(getInputCol()));
    return dataset.select(functions.col("*"), ids.as(getOutputCol(), outputMetadata()));
  }

  private Metadata outputMetadata() {
    return new MetadataBuilder().putLong(VOCAB_SIZE_KEY, tokenizer.vocabSize()).build();
  }

  @Override
  public StructType transformSchema(StructType schema) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, schema, getInputCol());
    return Schemas.append(stage, schema, getOutputCol(), Schemas.IDS, outputMetadata());
  }

  @Override
  public SpindleTokenizerModel copy(ParamMap extra) {
    SpindleTokenizerModel copy = new SpindleTokenizerModel(uid, tokenizer);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<SpindleTokenizerModel> read() {
    return new Reader();
  }

  public static SpindleTokenizerModel load(String path) {
    return read().load(path);
  }

  static final String FILE = Tokenizer.FILE_NAME;

  private static final class Writer extends MLWriter {
    private final SpindleTokenizerModel instance;

    Writer(SpindleTokenizerModel instance) {
      this.instance = instance;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
      try (OutputStream out = ModelFiles.create(path, FILE, sparkSession().sparkContext().hadoopConfiguration())) {
        instance.tokenizer.write(out);
      } catch (IOException e) {
        throw new UncheckedIOException("writing " + path + "/" + ModelFiles.DATA + "/" + FILE, e);
      }
    }
  }

  private static final class Reader extends MLReader<SpindleTokenizerModel> {
    @Override
    public SpindleTokenizerModel load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
          SpindleTokenizerModel.class.getName());
      Tokenizer tokenizer;
      try (InputStream in = ModelFiles.open(path, FILE, sparkSession().sparkContext().hadoopConfiguration())) {
        tokenizer = Tokenizer.read(in);
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + path + "/" + ModelFiles.DATA + "/" + FILE, e);
      }
      SpindleTokenizerModel model = new SpindleTokenizerModel(metadata.uid(), tokenizer);
      metadata.getAndSetParams(model, scala.Option.empty());
      return model;
    }
  }
}
