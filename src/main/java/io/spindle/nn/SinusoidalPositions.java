package io.spindle.nn;

import io.spindle.tensor.Tensor;

/**
 * The fixed positional encodings of "Attention Is All You Need" (Vaswani et al. 2017, section 3.5):
 * <pre>
 *   PE(pos, 2i)     = sin(pos / 10000^(2i / d))
 *   PE(pos, 2i + 1) = cos(pos / 10000^(2i / d))
 * </pre>
 * for positions {@code pos} from 0 and channel pairs {@code i < d / 2}; d (the model width) must be even. Values are
 * computed in double and rounded once to float.
 */
public final class SinusoidalPositions {
  private SinusoidalPositions() {}

  /** The (length, dim) table whose row {@code pos} is added to the embedding of position {@code pos}. */
  public static Tensor table(int length, int dim) {
    if (length < 0 || dim <= 0 || dim % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positions: need length >= 0 and an even dim > 0, got length "
          + length + ", dim " + dim);
    }
    Tensor pe = Tensor.zeros(length, dim); // (T, C)
    for (int i = 0; i < dim / 2; i++) {
      double rate = Math.pow(10000.0, -2.0 * i / dim); // 1 / 10000^(2i/d)
      for (int pos = 0; pos < length; pos++) {
        double angle = pos * rate;
        pe.set(pos * dim + 2 * i, (float) Math.sin(angle));
        pe.set(pos * dim + 2 * i + 1, (float) Math.cos(angle));
      }
    }
    return pe;
  }
}
