package io.spindle.spark;

import java.io.Serializable;

/**
 * One partition's classifier examples, in the order of the input partition; built and validated by
 * {@link SparkExamples}, which knows each chunk's global offset (the examples of the partitions before it).
 *
 * @param index the partition's index
 * @param ids each example's token ids; not copied, treat as read-only
 * @param labels each example's class
 */
record ExampleChunk(int index, int[][] ids, int[] labels) implements Serializable {
  private static final long serialVersionUID = 1L;

  ExampleChunk {
    if (ids.length != labels.length) {
      throw new IllegalArgumentException("ExampleChunk: " + ids.length + " sequences but " + labels.length
          + " labels");
    }
  }

  int size() {
    return labels.length;
  }
}
