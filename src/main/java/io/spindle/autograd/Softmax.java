package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Softmax and log-softmax over the last dimension: x (..., C) to the same shape, each row independently.
 *
 * <p>Numerically stable: each row is shifted by its maximum before exponentiating, so every exponent is <= 0 and
 * logits of any finite size (say +-1000) give no overflow. Sums are accumulated in double. A row whose entries are
 * all -infinity has no defined softmax and gives NaN, as in PyTorch. Neither op saves anything extra for backward:
 * both derivatives are written in terms of the output.
 */
public final class Softmax {
  private Softmax() {}

  /** {@code softmax(x)_i = exp(x_i - max) / sum_j exp(x_j - max)} along the last dimension. */
  public static Variable softmax(Graph g, Variable x) {
    return rowwise(g, x, "softmax", (xb, xo, yb, yo, c, max) -> {
      double sum = 0;
      for (int i = 0; i < c; i++) {
        double e = Math.exp(xb.get(xo + i) - max);
        yb.put(yo + i, (float) e);
        sum += e;
      }
      double inv = 1 / sum;
      for (int i = 0; i < c; i++) {
        yb.put(yo + i, (float) (yb.get(yo + i) * inv));
      }
    }, (db, dof, yb, yo, dinp, base, c) -> {
      // forward: y = softmax(x); dx_i = y_i * (dy_i - sum_j dy_j y_j)
      double dot = 0;
      for (int i = 0; i < c; i++) {
        dot += (double) db.get(dof + i) * yb.get(yo + i);
      }
      for (int i = 0; i < c; i++) {
        float y = yb.get(yo + i);
        dinp.set(base + i, (float) (dinp.get(base + i) + y * (db.get(dof + i) - dot)));
      }
    });
  }

  /** {@code logSoftmax(x)_i = x_i - max - log sum_j exp(x_j - max)} along the last dimension. */
  public static Variable logSoftmax(Graph g, Variable x) {
    return rowwise(g, x, "logSoftmax", (xb, xo, yb, yo, c, max) -> {
      double sum = 0;
      for (int i = 0; i < c; i++) {
        sum += Math.exp(xb.get(xo + i) - max);
      }
      double shift = max + Math.log(sum);
      for (int i = 0; i < c; i++) {
        yb.put(yo + i, (float) (xb.get(xo + i) - shift));
      }
    }, (db, dof, yb, yo, dinp, base, c) -> {
      // forward: y = x - logsumexp(x); dx_i = dy_i - softmax(x)_i * sum_j dy_j, softmax(x) = exp(y)
      double total = 0;
      for (int i = 0; i < c; i++) {
        total += db.get(dof + i);
      }
      for (int i = 0; i < c; i++) {
        double p = Math.exp(yb.get(yo + i));
        dinp.set(base + i, (float) (dinp.get(base + i) + db.get(dof + i) - p * total));
      }
    });
  }

  /** One row's forward: the C inputs from {@code xb[xo..]}, whose largest is {@code max}, to {@code yb[yo..]}. */
  private interface RowForward {
    void apply(FloatBuffer xb, int xo, FloatBuffer yb, int yo, int c, float max);
  }

  /**
   * One row's backward: adds to {@code dinp}'s elements from {@code base} the gradient of the row, given the output
   * gradient at {@code db[dof..]} and the forward's output at {@code yb[yo..]}.
   */
  private interface RowBackward {
    void apply(FloatBuffer db, int dof, FloatBuffer yb, int yo, Tensor dinp, int base, int c);
  }

  /** An op applied to each row of x (..., C) independently; its backward reads only the output. */
  private static Variable rowwise(Graph g, Variable x, String op, RowForward forward, RowBackward backward) {
    Tensor xt = x.value();
    int c = lastDim(op, xt);
    int rows = Shape.size(xt.shape(), 0, xt.rank() - 1); // N
    Tensor out = g.empty(xt.shape()); // (..., C)
    FloatBuffer xb = xt.buffer();
    FloatBuffer yb = out.buffer();
    for (int r = 0; r < rows; r++) {
      int base = r * c;
      forward.apply(xb, xt.offset() + base, yb, out.offset() + base, c, rowMax(xb, xt.offset() + base, c));
    }
    return g.record(out, dout -> {
      Tensor dinp = g.gradOf(x);
      for (int r = 0; r < rows; r++) {
        int base = r * c;
        backward.apply(dout.buffer(), dout.offset() + base, yb, out.offset() + base, dinp, base, c);
      }
    }, x);
  }

  /** The last dimension of {@code x}, rejecting a 0-dimensional input. */
  static int lastDim(String op, Tensor x) {
    if (x.rank() == 0) {
      throw new IllegalArgumentException(op + ": input needs at least 1 dimension, got shape ()");
    }
    return x.dim(-1);
  }

  private static float rowMax(FloatBuffer b, int from, int c) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < c; i++) {
      max = Math.max(max, b.get(from + i));
    }
    return max;
  }
}
