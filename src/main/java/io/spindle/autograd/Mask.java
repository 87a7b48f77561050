package io.spindle.autograd;

import io.spindle.tensor.Shape;

/**
 * An immutable boolean tensor for {@link MaskedFill#maskedFill}: {@code true} marks an element to overwrite (a
 * position that may not be attended to).
 *
 * <p>A mask broadcasts NumPy-style against the tensor it is applied to: its shape is left-padded with 1s to the
 * tensor's rank, and each dimension must then be 1 (repeated) or equal to the tensor's. So a causal mask (T, S)
 * applies to scores (B, NH, T, S), and a key-padding mask (B, 1, 1, S) to the same scores.
 */
public final class Mask {
  private final boolean[] masked;
  private final int[] shape;

  private Mask(boolean[] masked, int[] shape) {
    this.masked = masked;
    this.shape = shape;
  }

  /** A mask of the given shape holding {@code masked} in row-major order ({@code true} = masked); copies it. */
  public static Mask of(boolean[] masked, int... shape) {
    int[] s = Shape.validate(shape);
    if (masked.length != Shape.size(s)) {
      throw new IllegalArgumentException("Mask.of: " + masked.length + " values for shape " + Shape.toString(s));
    }
    return new Mask(masked.clone(), s);
  }

  /**
   * The causal mask (queryLength, keyLength), aligned at the end: query {@code i} may see key {@code j} iff
   * {@code j <= i + (keyLength - queryLength)}. With equal lengths this is the usual lower triangle; with fewer
   * queries than keys the queries are the last positions of the sequence, as when new tokens attend to a KV cache.
   * With more queries than keys the first {@code queryLength - keyLength} queries see no key at all.
   */
  public static Mask causal(int queryLength, int keyLength) {
    if (queryLength < 0 || keyLength < 0) {
      throw new IllegalArgumentException("Mask.causal: negative length, queries " + queryLength + ", keys "
          + keyLength);
    }
    boolean[] m = new boolean[Shape.size(new int[] {queryLength, keyLength})];
    int shift = keyLength - queryLength;
    for (int i = 0; i < queryLength; i++) {
      for (int j = 0; j < keyLength; j++) {
        m[i * keyLength + j] = j > i + shift;
      }
    }
    return new Mask(m, new int[] {queryLength, keyLength});
  }

  /**
   * The key-padding mask (B, 1, 1, S) from B rows of S flags, {@code true} marking a padded key that no query may
   * see; it broadcasts over heads and queries of (B, NH, T, S) scores. All rows must have the same length.
   */
  public static Mask keyPadding(boolean[][] padded) {
    int b = padded.length;
    int s = b == 0 ? 0 : padded[0].length;
    boolean[] m = new boolean[b * s];
    for (int r = 0; r < b; r++) {
      if (padded[r].length != s) {
        throw new IllegalArgumentException("Mask.keyPadding: row " + r + " has " + padded[r].length
            + " keys, row 0 has " + s);
      }
      System.arraycopy(padded[r], 0, m, r * s, s);
    }
    return new Mask(m, new int[] {b, 1, 1, s});
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public int size() {
    return masked.length;
  }

  /** Whether flat (row-major) element {@code index} is masked. */
  public boolean isMasked(int index) {
    return masked[index];
  }

  @Override
  public String toString() {
    return "Mask" + Shape.toString(shape);
  }
}
