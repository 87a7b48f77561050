package io.spindle.train;

import java.io.Serializable;

/**
 * One partition's translation pairs, in the order of the input partition; built and validated by
 * {@code SparkTranslationPairs} (or a trainer in this JVM, as one chunk), which knows each chunk's global offset (the pairs of the partitions before it).
 *
 * @param index the partition's index
 * @param sources each pair's source ids; not copied, treat as read-only
 * @param targets each pair's target ids
 */
public record PairChunk(int index, int[][] sources, int[][] targets) implements ExamplePart, Serializable {
  private static final long serialVersionUID = 1L;

  public PairChunk {
    if (sources.length != targets.length) {
      throw new IllegalArgumentException("PairChunk: " + sources.length + " sources but " + targets.length
          + " targets");
    }
  }

  @Override
  public int size() {
    return sources.length;
  }
}
