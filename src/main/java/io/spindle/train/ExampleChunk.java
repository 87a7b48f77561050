package io.spindle.train;

import java.io.Serializable;

/**
 * One partition's classifier examples, in the order of the input partition; built and validated by
 * {@code SparkExamples} (or a trainer in this JVM, as one chunk), which knows each chunk's global offset (the examples of the partitions before it).
 *
 * @param index the partition's index
 * @param ids each example's token ids; not copied, treat as read-only
 * @param labels each example's class
 */
public record ExampleChunk(int index, int[][] ids, int[] labels) implements ExamplePart, Serializable {
  private static final long serialVersionUID = 1L;

  public ExampleChunk {
    if (ids.length != labels.length) {
      throw new IllegalArgumentException("ExampleChunk: " + ids.length + " sequences but " + labels.length
          + " labels");
    }
  }

  @Override
  public int size() {
    return labels.length;
  }
}
