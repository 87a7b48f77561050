package io.spindle.spark;

import io.spindle.data.BadInputException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import io.spindle.nn.EncoderConfig;
import io.spindle.train.ClassifierObjective;
import io.spindle.train.ExampleChunk;
import io.spindle.train.TrainingConfig;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;

/**
 * A classifier's training set on Spark: the input RDD's partitions, each gathered into one cached
 * {@link ExampleChunk}, with the global index of every example (partition by partition, in input order). Building it
 * runs one job that validates every example, so bad data is reported before any training step: an empty dataset, a
 * missing or empty id sequence, an id outside the vocabulary, a label outside {@code [0, numClasses)}, each naming
 * the partition and row.
 *
 * <p>{@link #close()} unpersists the chunks.
 */
public final class SparkExamples implements SparkParts<ExampleChunk>, AutoCloseable {
  private final JavaRDD<ExampleChunk> chunks;
  private final long[] offsets;
  private final long count;
  private final int vocabSize;
  private final int numClasses;

  private SparkExamples(JavaRDD<ExampleChunk> chunks, long[] offsets, long count, int vocabSize, int numClasses) {
    this.chunks = chunks;
    this.offsets = offsets;
    this.count = count;
    this.vocabSize = vocabSize;
    this.numClasses = numClasses;
  }

  /** Validates and caches {@code examples} (one task per input partition). */
  public static SparkExamples of(JavaRDD<LabeledSequence> examples, int vocabSize, int numClasses) {
    if (vocabSize < 1 || numClasses < 2) {
      throw new BadInputException("training examples: vocabulary size must be >= 1 and classes >= 2, got "
          + vocabSize + " and " + numClasses);
    }
    Function2<Integer, Iterator<LabeledSequence>, Iterator<ExampleChunk>> gather =
        (index, rows) -> List.of(chunk(index, rows, vocabSize, numClasses)).iterator();
    JavaRDD<ExampleChunk> chunks = examples.mapPartitionsWithIndex(gather, true).cache()
        .setName("spindle classifier examples (" + examples.getNumPartitions() + " chunks)");
    ChunkOffsets counted = ChunkOffsets.of(chunks, ExampleChunk::size, "training examples");
    return new SparkExamples(chunks, counted.offsets(), counted.count(), vocabSize, numClasses);
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

  @Override
  public JavaRDD<ExampleChunk> parts() {
    return chunks;
  }

  @Override
  public long size() {
    return count;
  }

  /** The global index of the first example of each partition. */
  public long[] offsets() {
    return offsets.clone();
  }

  /**
   * The objective of training a classifier of {@code model} with {@code training} on these examples; throws naming
   * both when they were checked for a larger vocabulary or another class count.
   */
  public ClassifierObjective objective(EncoderConfig model, TrainingConfig training) {
    checkFits(model);
    return new ClassifierObjective(model, training.seed(), training.batchSize(), offsets, count);
  }

  /** Throws unless these examples were checked for {@code model}'s vocabulary (or a smaller one) and classes. */
  public void checkFits(EncoderConfig model) {
    if (vocabSize > model.vocabSize() || numClasses != model.numClasses()) {
      throw new IllegalArgumentException("examples were checked for vocabulary " + vocabSize + " and "
          + numClasses + " classes; the model has vocab_size " + model.vocabSize() + " and num_classes "
          + model.numClasses());
    }
  }

  /** N, the number of examples. */
  public long count() {
    return count;
  }

  /** P, partitions and hence tasks per training step. */
  @Override
  public int partitions() {
    return offsets.length;
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int numClasses() {
    return numClasses;
  }

  @Override
  public void close() {
    chunks.unpersist(false);
  }
}
