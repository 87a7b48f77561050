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
    Tensor xt = x.value();
    int c = lastDim("softmax", xt);
    int rows = Shape.size(xt.shape(), 0, xt.rank() - 1); // N
    Tensor out = g.empty(xt.shape()); // (..., C)
    FloatBuffer xb = xt.buffer();
    FloatBuffer yb = out.buffer();
    int xo = xt.offset();
    int yo = out.offset();
    for (int r = 0; r < rows; r++) {
      int base = r * c;
      float max = rowMax(xb, xo + base, c);
      double sum = 0;
      for (int i = 0; i < c; i++) {
        double e = Math.exp(xb.get(xo + base + i) - max);
        yb.put(yo + base + i, (float) e);
        sum += e;
      }
      double inv = 1 / sum;
      for (int i = 0; i < c; i++) {
        yb.put(yo + base + i, (float) (yb.get(yo + base + i) * inv));
      }
    }
    return g.record(out, dout -> {
      // forward: y = softmax(x); dx_i = y_i * (dy_i - sum_j dy_j y_j)
      Tensor dinp = g.gradOf(x);
      FloatBuffer db = dout.buffer();
      int dof = dout.offset();
      for (int r = 0; r < rows; r++) {
        int base = r * c;
        double dot = 0;
        for (int i = 0; i < c; i++) {
          dot += (double) db.get(dof + base + i) * yb.get(yo + base + i);
        }
        for (int i = 0; i < c; i++) {
          float y = yb.get(yo + base + i);
          dinp.set(base + i, (float) (dinp.get(base + i) + y * (db.get(dof + base + i) - dot)));
        }
      }
    }, x);
  }

  /** {@code logSoftmax(x)_i = x_i - max - log sum_j exp(x_j - max)} along the last dimension. */
  public static Variable logSoftmax(Graph g, Variable x) {
    Tensor xt = x.value();
    int c = lastDim("logSoftmax", xt);
    int rows = Shape.size(xt.shape(), 0, xt.rank() - 1); // N
    Tensor out = g.empty(xt.shape()); // (..., C)
    FloatBuffer xb = xt.buffer();
    FloatBuffer yb = out.buffer();
    int xo = xt.offset();
    int yo = out.offset();
    for (int r = 0; r < rows; r++) {
      int base = r * c;
      float max = rowMax(xb, xo + base, c);
      double sum = 0;
      for (int i = 0; i < c; i++) {
        sum += Math.exp(xb.get(xo + base + i) - max);
      }
      double shift = max + Math.log(sum);
      for (int i = 0; i < c; i++) {
        yb.put(yo + base + i, (float) (xb.get(xo + base + i) - shift));
      }
    }
    return g.record(out, dout -> {
      // forward: y = x - logsumexp(x); dx_i = dy_i - softmax(x)_i * sum_j dy_j, softmax(x) = exp(y)
      Tensor dinp = g.gradOf(x);
      FloatBuffer db = dout.buffer();
      int dof = dout.offset();
      for (int r = 0; r < rows; r++) {
        int base = r * c;
        double total = 0;
        for (int i = 0; i < c; i++) {
          total += db.get(dof + base + i);
        }
        for (int i = 0; i < c; i++) {
          double p = Math.exp(yb.get(yo + base + i));
          dinp.set(base + i, (float) (dinp.get(base + i) + db.get(dof + base + i) - p * total));
        }
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
