package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.train.ExamplePart;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * A dataset of examples on Spark (labelled sequences, translation pairs) whose trainers draw the global batch over
 * one global index, example by example: cached chunks, one per input partition, and where each chunk starts in that
 * index. Building it runs one job that sizes the chunks (and, since the chunks are computed there, validates every
 * example), so bad data is reported before any training step. Subclasses: {@link SparkExamples},
 * {@link SparkTranslationPairs}, {@link SparkPrompts}.
 *
 * <p>{@link #close()} unpersists the chunks.
 */
abstract class IndexedParts<D extends ExamplePart> implements SparkParts<D>, AutoCloseable {
  private final JavaRDD<D> chunks;
  private final long[] offsets;
  private final long count;

  /** Gathers (and validates) the rows of one input partition into its chunk; runs in a task. */
  @FunctionalInterface
  interface Gather<R, D> extends Serializable {
    D chunk(int index, Iterator<R> rows);
  }

  /** One chunk per partition of {@code rows}, in input order, each made by {@code gather} (lazily, in tasks). */
  static <R, D> JavaRDD<D> gather(JavaRDD<R> rows, Gather<R, D> gather) {
    return rows.mapPartitionsWithIndex((index, it) -> List.of(gather.chunk(index, it)).iterator(), true);
  }

  /**
   * Caches {@code chunks} and runs the job that sizes them; on failure, or when the dataset is empty (a
   * {@link BadInputException} saying so, prefixed by {@code what}), the chunks are unpersisted.
   */
  IndexedParts(JavaRDD<D> chunks, String what) {
    this.chunks = chunks.cache().setName("spindle " + what + " (" + chunks.getNumPartitions() + " chunks)");
    List<Integer> sizes;
    try {
      sizes = SparkJobs.run("reading the " + what, () -> this.chunks.map(ExamplePart::size).collect());
    } catch (RuntimeException e) {
      this.chunks.unpersist(false);
      throw e;
    }
    offsets = new long[sizes.size()];
    long total = 0;
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = total;
      total += sizes.get(i);
    }
    if (total == 0) {
      this.chunks.unpersist(false);
      throw new BadInputException(what + ": the dataset is empty");
    }
    count = total;
  }

  @Override
  public final JavaRDD<D> parts() {
    return chunks;
  }

  @Override
  public final long size() {
    return count;
  }

  /** The global index of the first example of each partition. */
  public final long[] offsets() {
    return offsets.clone();
  }

  /** N, the number of examples. */
  public final long count() {
    return count;
  }

  /** P, partitions and hence tasks per training step. */
  @Override
  public final int partitions() {
    return offsets.length;
  }

  @Override
  public void close() {
    chunks.unpersist(false);
  }
}
