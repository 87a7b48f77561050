package io.spindle.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One translation training example: the source's token ids and the target's (without {@code <bos>} or
 * {@code <eos>}, which the trainer adds).
 *
 * @param source source token ids, not copied (treat as read-only); at least one, each in the source vocabulary
 * @param target target token ids, not copied; each in the target vocabulary (may be empty: the model then learns to
 *     emit {@code <eos>} at once)
 */
public record TranslationPair(int[] source, int[] target) implements Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public boolean equals(Object o) {
    return o instanceof TranslationPair other && Arrays.equals(source, other.source)
        && Arrays.equals(target, other.target);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(source) + Arrays.hashCode(target);
  }

  @Override
  public String toString() {
    return "TranslationPair(" + source.length + " source ids, " + target.length + " target ids)";
  }
}
