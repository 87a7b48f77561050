package io.spindle.spark;

import io.spindle.data.BadInputException;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;

/**
 * Where each cached chunk of a dataset of examples starts in the global example index: the chunk sizes, collected
 * in one job, and their prefix sums. Shared by the example-drawing trainers' datasets ({@link SparkExamples},
 * {@link SparkTranslationPairs}), whose global batch is drawn over that index.
 *
 * @param offsets the global index of each chunk's first example
 * @param count the examples in all chunks
 */
record ChunkOffsets(long[] offsets, long count) {
  /**
   * Runs the job that sizes {@code chunks} (cached by the caller) and sums the sizes. On failure, or when the dataset
   * is empty (an {@link IllegalArgumentException} saying so, prefixed by {@code what}), the chunks are unpersisted.
   */
  static <C> ChunkOffsets of(JavaRDD<C> chunks, Function<C, Integer> size, String what) {
    List<Integer> sizes;
    try {
      sizes = SparkJobs.run("reading the " + what, () -> chunks.map(size).collect());
    } catch (RuntimeException e) {
      chunks.unpersist(false);
      throw e;
    }
    long[] offsets = new long[sizes.size()];
    long total = 0;
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = total;
      total += sizes.get(i);
    }
    if (total == 0) {
      chunks.unpersist(false);
      throw new BadInputException(what + ": the dataset is empty");
    }
    return new ChunkOffsets(offsets, total);
  }
}
