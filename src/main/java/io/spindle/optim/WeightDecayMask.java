package io.spindle.optim;

import io.spindle.autograd.Parameters;

/**
 * Which elements of a flat parameter buffer (P,) receive weight decay: a sorted list of disjoint ranges
 * {@code [start, end)}, computed once when the optimizer is built.
 *
 * <p>The usual rule for transformers is nanoGPT's {@code configure_optimizers}: parameters of rank 2 or more (matmul
 * weights and embeddings) decay, parameters of rank below 2 (biases, LayerNorm gains and biases) do not; see
 * {@link #matricesOnly}.
 */
public final class WeightDecayMask {
  private final int size;
  private final int[] starts;
  private final int[] ends;

  private WeightDecayMask(int size, int[] starts, int[] ends) {
    this.size = size;
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * nanoGPT's rule: the elements of every parameter whose value has rank &gt;= 2 decay, those of rank 0 or 1 do not.
   * Adjacent decayed parameters merge into one range.
   */
  public static WeightDecayMask matricesOnly(Parameters parameters) {
    ParameterRanges ranges = ParameterRanges.of(parameters, name -> parameters.get(name).value().shape().length >= 2);
    return new WeightDecayMask(parameters.count(), ranges.starts(), ranges.ends());
  }

  /** Every one of {@code size} elements decays (plain AdamW on one tensor). */
  public static WeightDecayMask all(int size) {
    requireSize(size);
    return size == 0 ? none(0) : new WeightDecayMask(size, new int[] {0}, new int[] {size});
  }

  /** No element decays. */
  public static WeightDecayMask none(int size) {
    requireSize(size);
    return new WeightDecayMask(size, new int[0], new int[0]);
  }

  private static void requireSize(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("WeightDecayMask: negative size " + size);
    }
  }

  /** Number of elements P the mask covers. */
  public int size() {
    return size;
  }

  /** Whether element {@code index} of the flat buffer decays. */
  public boolean decays(int index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("WeightDecayMask: index " + index + " out of range [0, " + size + ")");
    }
    for (int r = 0; r < starts.length && starts[r] <= index; r++) {
      if (index < ends[r]) {
        return true;
      }
    }
    return false;
  }

  /** Number of elements that decay. */
  public int decayedCount() {
    return new ParameterRanges(starts, ends).count();
  }

  /** Number of decayed ranges, for kernels that walk them. */
  int rangeCount() {
    return starts.length;
  }

  /** First element of decayed range {@code r}. */
  int start(int r) {
    return starts[r];
  }

  /** One past the last element of decayed range {@code r}. */
  int end(int r) {
    return ends[r];
  }

  @Override
  public String toString() {
    return "WeightDecayMask(" + decayedCount() + " of " + size + " elements decay)";
  }
}
