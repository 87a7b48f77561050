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
 * null ids (or, as {@link #handleInvalid()} says, is dropped or an error), an empty one an empty array. The output
 * column's metadata records the vocabulary size under {@link #VOCAB_SIZE_KEY}, the tokenizer's fingerprint under
 * {@link #TOKENIZER_KEY} and the text column under {@link #SOURCE_COLUMN_KEY}, which {@link TransformerClassifier}
 * reads (to size its vocabulary, to refuse ids of another tokenizer than its initial model's) and its model names in
 * messages about bad rows.
 *
 * <p>Saved as MLlib's parameter metadata plus {@code data/tokenizer.json} (Spindle's tokenizer format), by the
 * writer and reader every Spindle model uses ({@link ModelPersistence}).
 */
public class SpindleTokenizerModel extends Model<SpindleTokenizerModel>
    implements SpindleTokenizerParams<SpindleTokenizerModel>, MLWritable {
  private static final long serialVersionUID = 1L;
  /** Metadata key of the ids column: the vocabulary size, so ids are in {@code [0, vocabSize)}. */
  public static final String VOCAB_SIZE_KEY = "spindle.vocabSize";
  /** Metadata key of the ids column: a fingerprint of the tokenizer (16 hex digits of its file's SHA-256). */
  public static final String TOKENIZER_KEY = "spindle.tokenizer";
  /** Metadata key of the ids column: the name of the text column the ids were made from. */
  public static final String SOURCE_COLUMN_KEY = "spindle.sourceCol";

  private final DeclaredParams params;
  private final Tokenizer tokenizer;

  /** A model around {@code tokenizer} (MLlib's copy and persistence build models this way too). */
  public SpindleTokenizerModel(String uid, Tokenizer tokenizer) {
    this.params = new DeclaredParams(this, uid);
    params.createAll();
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
    String handle = getHandleInvalid();
    String nullError = handle.equals("error") ? getClass().getSimpleName() + ": null text in column '"
        + getInputCol() + "' (handleInvalid 'error'; 'skip' drops such rows, 'keep' gives them null ids)" : null;
    Dataset<?> rows = handle.equals("skip") ? dataset.where(dataset.col(getInputCol()).isNotNull()) : dataset;
    UserDefinedFunction encode = functions.udf(new TokenizerFunction(tokenizer, nullError), Schemas.IDS);
    Column ids = encode.apply(rows.col(getInputCol()));
    return rows.select(functions.col("*"), ids.as(getOutputCol(), outputMetadata()));
  }

  private Metadata outputMetadata() {
    return new MetadataBuilder().putLong(VOCAB_SIZE_KEY, tokenizer.vocabSize())
        .putString(TOKENIZER_KEY, PretrainedLanguageModel.fingerprint(tokenizer))
        .putString(SOURCE_COLUMN_KEY, getInputCol()).build();
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
