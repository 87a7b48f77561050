package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Overwrites masked positions with a constant, as attention does with scores a query may not see (filled with a
 * large negative number before the softmax). The {@link Mask} broadcasts against the input; see its class comment.
 */
public final class MaskedFill {
  private MaskedFill() {}

  /**
   * {@code out = mask ? value : x}, elementwise, with {@code mask} broadcast to x's shape.
   *
   * <p>Backward: {@code dx += mask ? 0 : dout}; a filled element is a constant, so no gradient flows through it.
   */
  public static Variable maskedFill(Graph g, Variable x, Mask mask, float value) {
    Layout p = new Layout(x.shape(), mask.shape());
    Tensor xt = x.value();
    Tensor out = g.empty(xt.shape()); // x's shape
    FloatBuffer xb = xt.buffer();
    FloatBuffer ob = out.buffer();
    for (int r = 0; r < p.rows; r++) {
      int base = r * p.last;
      for (int i = 0; i < p.last; i++) {
        boolean m = mask.isMasked(p.rowStart[r] + i * p.step);
        ob.put(out.offset() + base + i, m ? value : xb.get(xt.offset() + base + i));
      }
    }
    return g.record(out, dout -> {
      // out = mask ? value : x  =>  dx = mask ? 0 : dout
      Tensor dx = g.gradOf(x);
      FloatBuffer db = dx.buffer();
      FloatBuffer gb = dout.buffer();
      for (int r = 0; r < p.rows; r++) {
        int base = r * p.last;
        for (int i = 0; i < p.last; i++) {
          if (!mask.isMasked(p.rowStart[r] + i * p.step)) {
            int at = dx.offset() + base + i;
            db.put(at, db.get(at) + gb.get(dout.offset() + base + i));
          }
        }
      }
    }, x);
  }

  /**
   * Where each row of x (all dimensions but the last) finds its mask elements: row r's element i uses mask index
   * {@code rowStart[r] + i * step}, where step is 0 when the mask repeats along the last dimension.
   */
  private static final class Layout {
    final int rows;
    final int last;
    final int step;
    final int[] rowStart;

    Layout(int[] xs, int[] ms) {
      int rank = xs.length;
      if (ms.length > rank) {
        throw Shape.mismatch("maskedFill", ms, xs, "the mask has more dimensions than x");
      }
      int[] padded = new int[rank]; // the mask's shape left-padded with 1s
      for (int d = 0; d < rank; d++) {
        int md = d - (rank - ms.length);
        padded[d] = md < 0 ? 1 : ms[md];
        if (padded[d] != 1 && padded[d] != xs[d]) {
          throw Shape.mismatch("maskedFill", ms, xs,
              "mask dimensions must be 1 or equal to x's, aligned from the right");
        }
      }
      int[] stride = new int[rank]; // mask strides, 0 along repeated dimensions
      for (int d = 0; d < rank; d++) {
        stride[d] = padded[d] == 1 ? 0 : Shape.size(padded, d + 1, rank);
      }
      this.last = rank == 0 ? 1 : xs[rank - 1];
      this.step = rank == 0 ? 0 : stride[rank - 1];
      this.rows = rank == 0 ? 1 : Shape.size(xs, 0, rank - 1);
      this.rowStart = new int[rows];
      for (int r = 0; r < rows; r++) {
        int rest = r;
        int start = 0;
        for (int d = rank - 2; d >= 0; d--) {
          start += rest % xs[d] * stride[d];
          rest /= xs[d];
        }
        rowStart[r] = start;
      }
    }
  }
}
