package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
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
 * <p>Saved as MLlib's parameter metadata plus {@code data/tokenizer.json} (Spindle's tokenizer format), by the
 * writer and reader every Spindle model uses ({@link ModelPersistence}).
 */
public class SpindleTokenizerModel extends Model<SpindleTokenizerModel>
    implements SpindleTokenizerParams<SpindleTokenizerModel>, MLWritable {
  private static final long serialVersionUID = 1L;
  /** Metadata key of the ids column: the vocabulary size, so ids are in {@code [0, vocabSize)}. */
  public static final String VOCAB_SIZE_KEY = "spindle.vocabSize";

  private final DeclaredParams params;
  private final Tokenizer tokenizer;

  /** A model around {@code tokenizer} (MLlib's copy and persistence build models this way too). */
  public SpindleTokenizerModel(String uid, Tokenizer tokenizer) {
    this.params = new DeclaredParams(this, uid);
    params.createAll();
    params.setDefaults(inputCol().w("text"));
    this.tokenizer = tokenizer;
  }

  @Override
  public DeclaredParams declaredParams() {
    return params;
  }

  /** The learned tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
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
    return copyValues(new SpindleTokenizerModel(uid(), tokenizer), extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelPersistence.writer(this, (model, dir, conf) -> {
      Path file = new Path(dir, Tokenizer.FILE_NAME);
      try (OutputStream out = file.getFileSystem(conf).create(file, true)) {
        model.tokenizer.write(out);
      }
    });
  }

  public static MLReader<SpindleTokenizerModel> read() {
    return ModelPersistence.reader(SpindleTokenizerModel.class, (uid, dir, conf) -> {
      Path file = new Path(dir, Tokenizer.FILE_NAME);
      FileSystem fs = file.getFileSystem(conf);
      if (!fs.exists(file)) {
        throw new BadInputException("no " + ModelPersistence.DATA + "/" + Tokenizer.FILE_NAME);
      }
      try (InputStream in = fs.open(file)) {
        return new SpindleTokenizerModel(uid, Tokenizer.read(in));
      }
    });
  }

  public static SpindleTokenizerModel load(String path) {
    return read().load(path);
  }
}
