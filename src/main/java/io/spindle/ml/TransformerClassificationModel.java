package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.ClassifierInference;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;

/**
 * A trained {@link TransformerClassifier}: adds {@code rawPrediction} (the K class logits), {@code probability}
 * (their softmax) and {@code prediction} (the arg-max class index, as a double) for a column of token ids.
 *
 * <p>{@code transform} broadcasts the weights once and scores each partition in batches of {@link #BATCH} rows, the
 * model built once per task from the broadcast. It reads only the features column: any other column, a label
 * column with classes the model never saw included, passes through unchanged (only {@link #evaluate} reads labels,
 * and refuses such a class). A row whose ids are null or empty, hold a null id or an id outside the model's
 * vocabulary is handled as {@link #handleInvalid()} says: by default an error naming the column, the text column
 * the ids were tokenized from (when a {@link SpindleTokenizerModel} made them) and the id and its position;
 * sequences longer than the model's maximum length are truncated.
 *
 * <p>Saved as MLlib's parameter metadata plus {@code data/config.json} and {@code data/model.safetensors}
 * ({@link SpindleModel}).
 */
public class TransformerClassificationModel
    extends SpindleModel<EncoderClassifier, TransformerClassificationTrainingSummary, TransformerClassificationModel>
    implements TransformerClassifierParams<TransformerClassificationModel> {
  private static final long serialVersionUID = 1L;
  /** Rows per forward pass in {@code transform}. */
  public static final int BATCH = 64;
  private static final Kind<EncoderClassifier, TransformerClassificationModel> KIND = new Kind<>(
      TransformerClassificationModel.class, EncoderClassifierFormat.INSTANCE, TransformerClassificationModel::new,
      false);

  /** A model around trained weights (MLlib's copy and persistence build models this way too). */
  public TransformerClassificationModel(String uid, EncoderClassifier network) {
    this(uid, network, null);
  }

  /**
   * A model around trained weights and the tokenizer its ids come from (a fine-tuned language model's; null for
   * none), which its folder keeps.
   */
  public TransformerClassificationModel(String uid, EncoderClassifier network, Tokenizer tokenizer) {
    this(uid, ModelFolder.Contents.of(network, tokenizer));
  }

  /** The tokenizer of the language model this classifier was fine-tuned from, or null (trained on bare ids). */
  public Tokenizer tokenizer() {
    return contents().tokenizer();
  }

  private TransformerClassificationModel(String uid, ModelFolder.Contents<EncoderClassifier> contents) {
    super(uid, KIND, contents);
  }

  /** K, the classes the model was trained on (predictions are 0..K-1). */
  public int getNumClassesTrained() {
    return network().config().numClasses();
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    String column = getFeaturesCol();
    String handle = getHandleInvalid();
    return mapPartitions(dataset, (jsc, schema) -> {
      Metadata m = schema.apply(column).metadata();
      String source = m.contains(SpindleTokenizerModel.SOURCE_COLUMN_KEY)
          ? m.getString(SpindleTokenizerModel.SOURCE_COLUMN_KEY) : null;
      return new Scorer(ClassifierInference.broadcast(jsc, network()), schema.fieldIndex(column),
          column + "'" + (source == null ? "" : " (tokenized from column '" + source + "')"), handle, BATCH);
    });
  }

  public static MLReader<TransformerClassificationModel> read() {
    return reader(KIND);
  }

  public static TransformerClassificationModel load(String path) {
    return read().load(path);
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

  /**
   * Scores a partition's rows in batches; captures only the inference handle and column facts. {@code where} names
   * the ids column (and its text column) in messages; {@code handleInvalid} is the Param's value.
   */
  private record Scorer(ClassifierInference inference, int column, String where, String handleInvalid,
      int batchSize) implements RowBatches {
    @Override
    public List<Row> process(List<Row> batch) {
      List<int[]> sequences = new ArrayList<>(batch.size());
      List<Row> valid = new ArrayList<>(batch.size());
      boolean[] invalid = new boolean[batch.size()];
      for (int b = 0; b < batch.size(); b++) {
        String problem = problem(batch.get(b));
        if (problem == null) {
          sequences.add(ids(batch.get(b)));
          valid.add(batch.get(b));
        } else if (handleInvalid.equals("error")) {
          throw new BadInputException("TransformerClassificationModel: " + problem + " in column '" + where
              + " (handleInvalid 'error'; 'skip' drops rows whose ids are null, empty or outside the vocabulary, "
              + "'keep' gives them null predictions)");
        } else {
          invalid[b] = true;
        }
      }
      int k = inference.numClasses();
      float[] logits = sequences.isEmpty() ? new float[0] : inference.logits(sequences); // (B, K)
      List<Row> out = new ArrayList<>(batch.size());
      int scored = 0;
      for (int b = 0; b < batch.size(); b++) {
        if (invalid[b]) {
          if (handleInvalid.equals("keep")) {
            out.add(RowBatches.appended(batch.get(b), null, null, null));
          }
          continue;
        }
        double[] raw = new double[k];
        int best = 0;
        for (int j = 0; j < k; j++) {
          raw[j] = logits[scored * k + j];
          best = raw[j] > raw[best] ? j : best;
        }
        out.add(RowBatches.appended(batch.get(b), Vectors.dense(raw),
            Vectors.dense(ClassifierInference.probabilities(logits, scored, k)), (double) best));
        scored++;
      }
      return out;
    }

    /** What is wrong with the row's ids, or null if the model can score them. */
    private String problem(Row r) {
      if (r.isNullAt(column) || r.getList(column).isEmpty()) {
        return "a row has no token ids";
      }
      List<Integer> list = r.getList(column);
      int vocab = inference.vocabSize();
      for (int i = 0; i < list.size(); i++) {
        Integer id = list.get(i);
        if (id == null || id < 0 || id >= vocab) {
          return (id == null ? "a null token id" : "token id " + id + ", outside the model's vocabulary (ids 0.."
              + (vocab - 1) + "),") + " at position " + i;
        }
      }
      return null;
    }

    private int[] ids(Row r) {
      List<Integer> list = r.getList(column);
      int[] ids = new int[list.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = list.get(i);
      }
      return ids;
    }
  }
}
