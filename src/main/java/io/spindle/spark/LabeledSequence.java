package io.spindle.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One classifier training example: a sequence of token ids and its class.
 *
 * @param ids token ids, not copied (treat as read-only); at least one, each in the model's vocabulary
 * @param label the class, in {@code [0, numClasses)}
 */
public record LabeledSequence(int[] ids, int label) implements Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean equals(Object o) {
    return o instanceof LabeledSequence other && label == other.label && Arrays.equals(ids, other.ids);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + label;
  }

  @Override
  public String toString() {
    return "LabeledSequence(" + ids.length + " ids, label " + label + ")";
  }
}
