package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.nn.EncoderConfig;
import io.spindle.train.ClassifierObjective;
import io.spindle.train.ExampleChunk;
import io.spindle.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * A classifier's training set on Spark: the input RDD's partitions, each gathered into one cached
 * {@link ExampleChunk}, with the global index of every example (partition by partition, in input order). Building it
 * runs one job that validates every example, so bad data is reported before any training step: an empty dataset, a
 * missing or empty id sequence, an id outside the vocabulary, a label outside {@code [0, numClasses)}, each naming
 * the partition and row.
 */
public final class SparkExamples extends IndexedParts<ExampleChunk> {
  private final int vocabSize;
  private final int numClasses;

  private SparkExamples(JavaRDD<ExampleChunk> chunks, int vocabSize, int numClasses) {
    super(chunks, "training examples");
    this.vocabSize = vocabSize;
    this.numClasses = numClasses;
  }

  /** Validates and caches {@code examples} (one task per input partition). */
  public static SparkExamples of(JavaRDD<LabeledSequence> examples, int vocabSize, int numClasses) {
    if (vocabSize < 1 || numClasses < 2) {
      throw new BadInputException("training examples: vocabulary size must be >= 1 and classes >= 2, got "
          + vocabSize + " and " + numClasses);
    }
    return new SparkExamples(gather(examples, (index, rows) -> chunk(index, rows, vocabSize, numClasses)), vocabSize,
        numClasses);
  }

  private static ExampleChunk chunk(int index, Iterator<LabeledSequence> rows, int vocabSize, int numClasses) {
    List<int[]> ids = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    while (rows.hasNext()) {
      LabeledSequence e = rows.next();
      String where = "training examples: partition " + index + ", row " + ids.size();
      if (e == null || e.ids() == null || e.ids().length == 0) {
        throw new BadInputException(where + ": no token ids (null or empty sequence)");
      }
      if (e.label() < 0 || e.label() >= numClasses) {
        throw new BadInputException(where + ": label " + e.label() + " outside [0, " + numClasses + ")");
      }
      for (int t = 0; t < e.ids().length; t++) {
        if (e.ids()[t] < 0 || e.ids()[t] >= vocabSize) {
          throw new BadInputException(where + ": token id " + e.ids()[t] + " at position " + t
              + " outside the vocabulary [0, " + vocabSize + ")");
        }
      }
      ids.add(e.ids());
      labels.add(e.label());
    }
    int[] labelArray = new int[labels.size()];
    for (int i = 0; i < labelArray.length; i++) {
      labelArray[i] = labels.get(i);
    }
    return new ExampleChunk(index, ids.toArray(new int[0][]), labelArray);
  }

  /**
   * The objective of training a classifier of {@code model} with {@code training} on these examples; throws naming
   * both when they were checked for a larger vocabulary or another class count.
   */
  public ClassifierObjective objective(EncoderConfig model, TrainingConfig training) {
    checkFits(model);
    return new ClassifierObjective(model, training.seed(), training.batchSize(), offsets(), count());
  }

  /** Throws unless these examples were checked for {@code model}'s vocabulary (or a smaller one) and classes. */
  public void checkFits(EncoderConfig model) {
    if (vocabSize > model.vocabSize() || numClasses != model.numClasses()) {
      throw new IllegalArgumentException("examples were checked for vocabulary " + vocabSize + " and "
          + numClasses + " classes; the model has vocab_size " + model.vocabSize() + " and num_classes "
          + model.numClasses());
    }
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int numClasses() {
    return numClasses;
  }

}
