package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer normalisation over the last dimension (Ba, Kiros, Hinton 2016), as PyTorch's {@code LayerNorm}:
 * {@code out = (x - mean) * rstd * weight + bias} with {@code mean} and the biased variance {@code var} taken over
 * the C entries of each row and {@code rstd = 1 / sqrt(var + eps)}.
 *
 * <p>Shapes: x (..., C), weight (C), bias (C); the output has x's shape. Either of weight and bias may be
 * {@code null} (nanoGPT's {@code bias=False} passes no bias; no weight means a weight of ones). Row statistics are
 * accumulated in double; the per-row mean and rstd are saved for backward only when the graph records.
 */
public final class LayerNorm {
  private LayerNorm() {}

  /** Normalises each row of {@code x} (last dimension) and applies the optional affine weight and bias. */
  public static Variable layerNorm(Graph g, Variable x, Variable weight, Variable bias, float eps) {
    int[] xs = x.shape();
    if (xs.length == 0) {
      throw new IllegalArgumentException("layerNorm: input needs at least 1 dimension, got shape ()");
    }
    int c = xs[xs.length - 1];
    checkAffine("weight", weight, xs, c);
    checkAffine("bias", bias, xs, c);
    if (!(eps >= 0f) || Float.isInfinite(eps)) {
      throw new IllegalArgumentException("layerNorm: eps must be finite and >= 0, got " + eps);
    }
    int rows = Shape.size(xs, 0, xs.length - 1); // N = product of the leading dimensions
    Variable[] inputs = nonNull(x, weight, bias);
    boolean save = g.needsGrad(inputs);
    Tensor xt = x.value();
    Tensor out = g.empty(xs); // (..., C)
    Tensor mean = save ? g.empty(rows) : null; // (N)
    Tensor rstd = save ? g.empty(rows) : null; // (N)
    Tensor wt = weight == null ? null : weight.value();
    Tensor bt = bias == null ? null : bias.value();

    FloatBuffer xb = xt.buffer();
    FloatBuffer ob = out.buffer();
    int xo = xt.offset();
    int oo = out.offset();
    for (int r = 0; r < rows; r++) {
      int base = r * c;
      double sum = 0;
      for (int i = 0; i < c; i++) {
        sum += xb.get(xo + base + i);
      }
      double m = sum / c;
      double var = 0;
      for (int i = 0; i < c; i++) {
        double d = xb.get(xo + base + i) - m;
        var += d * d;
      }
      var /= c;
      double s = 1.0 / Math.sqrt(var + eps);
      for (int i = 0; i < c; i++) {
        float xhat = (float) ((xb.get(xo + base + i) - m) * s);
        float w = wt == null ? 1f : wt.get(i);
        float b = bt == null ? 0f : bt.get(i);
        ob.put(oo + base + i, xhat * w + b);
      }
      if (save) {
        mean.set(r, (float) m);
        rstd.set(r, (float) s);
      }
    }
    if (!save) {
      return Variable.constant(out);
    }
    return g.record(out, dout -> backward(dout, xt, wt, mean, rstd, rows, c,
        g.gradOf(x), weight == null ? null : g.gradOf(weight), bias == null ? null : g.gradOf(bias)), inputs);
  }

  /**
   * Backward of {@code out = xhat * weight + bias}, {@code xhat = (x - mean) * rstd}. With
   * {@code dxhat = dout * weight}, the row's mean and variance both depending on x give
   * <pre>
   *   dx      = rstd * (dxhat - mean_j(dxhat_j) - xhat * mean_j(dxhat_j * xhat_j))
   *   dweight = sum over rows of dout * xhat
   *   dbias   = sum over rows of dout
   * </pre>
   * (d rstd / d x_i = -rstd^3 (x_i - mean) / C, and the mean's term sums to zero inside the variance). Every
   * gradient is accumulated; a null one is skipped.
   */
  private static void backward(Tensor dout, Tensor xt, Tensor wt, Tensor mean, Tensor rstd, int rows, int c,
      Tensor dinp, Tensor dweight, Tensor dbias) {
    FloatBuffer xb = xt.buffer();
    FloatBuffer db = dout.buffer();
    int xo = xt.offset();
    int dof = dout.offset();
    for (int r = 0; r < rows; r++) {
      int base = r * c;
      double m = mean.get(r);
      double s = rstd.get(r);
      double dnormMean = 0;
      double dnormNormMean = 0;
      for (int i = 0; i < c; i++) {
        double xhat = (xb.get(xo + base + i) - m) * s;
        double dxhat = db.get(dof + base + i) * (wt == null ? 1.0 : wt.get(i));
        dnormMean += dxhat;
        dnormNormMean += dxhat * xhat;
      }
      dnormMean /= c;
      dnormNormMean /= c;
      for (int i = 0; i < c; i++) {
        double xhat = (xb.get(xo + base + i) - m) * s;
        float d = db.get(dof + base + i);
        if (dbias != null) {
          dbias.set(i, dbias.get(i) + d);
        }
        if (dweight != null) {
          dweight.set(i, (float) (dweight.get(i) + d * xhat));
        }
        if (dinp != null) {
          double dxhat = d * (wt == null ? 1.0 : wt.get(i));
          double dx = s * (dxhat - dnormMean - xhat * dnormNormMean);
          dinp.set(base + i, (float) (dinp.get(base + i) + dx));
        }
      }
    }
  }

  private static void checkAffine(String role, Variable v, int[] xs, int c) {
    if (v != null && !v.value().hasShape(c)) {
      throw Shape.mismatch("layerNorm", xs, v.shape(), role + " must have shape (C,) for C = " + c
          + ", the input's last dimension");
    }
  }

  private static Variable[] nonNull(Variable... vs) {
    List<Variable> list = new ArrayList<>();
    for (Variable v : vs) {
      if (v != null) {
        list.add(v);
      }
    }
    return list.toArray(new Variable[0]);
  }
}
