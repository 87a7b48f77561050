package io.spindle.autograd;

import io.spindle.tensor.Parallel;
import io.spindle.tensor.Scratch;
import io.spindle.tensor.Shape;
import io.spindle.tensor.Simd;
import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Layer normalisation over the last dimension (Ba, Kiros, Hinton 2016), as PyTorch's {@code LayerNorm}:
 * {@code out = (x - mean) * rstd * weight + bias} with {@code mean} and the biased variance {@code var} taken over
 * the C entries of each row and {@code rstd = 1 / sqrt(var + eps)}.
 *
 * <p>Shapes: x (..., C), weight (C), bias (C); the output has x's shape. Either of weight and bias may be
 * {@code null} (nanoGPT's {@code bias=False} passes no bias; no weight means a weight of ones). Row sums are
 * accumulated in double, or with the Vector API ({@link Simd}) in float with one partial sum per SIMD lane (at
 * C = 128 that is 16 terms per partial sum, so the rounding stays near float's own); the per-row mean and rstd are
 * saved for backward only when the graph records.
 */
public final class LayerNorm {
  /** Rows per thread at least, when {@link Parallel} op threads are on. */
  private static final int ROW_GRAIN = 256;

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

    Parallel.forRange(rows, ROW_GRAIN, (chunk, from, to) -> {
      float[] ws = affine(wt, c, 1f, 2);
      float[] bs = affine(bt, c, 0f, 3);
      float[] xr = Scratch.floats(0, c);
      float[] ys = Scratch.floats(1, c);
      for (int r = from; r < to; r++) {
        xt.buffer().get(xt.offset() + r * c, xr, 0, c);
        double m = rowSum(xr, c) / c;
        double sq = Simd.ENABLED ? VectorMath.squaredDeviations(xr, c, (float) m) : squaredDeviations(xr, c, m);
        double s = 1.0 / Math.sqrt(sq / c + eps);
        float mf = (float) m;
        float sf = (float) s;
        for (int i = 0; i < c; i++) {
          ys[i] = (xr[i] - mf) * sf * ws[i] + bs[i]; // xhat * weight + bias
        }
        out.buffer().put(out.offset() + r * c, ys, 0, c);
        if (save) {
          mean.set(r, mf);
          rstd.set(r, sf);
        }
      }
    });
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
    // the weight and bias sums of each chunk of rows start at 0 and are added in at the end: an input used twice
    // (say weight = x) may share its gradient buffer with dinp, which the row loop updates meanwhile
    int chunks = Parallel.chunks(rows, ROW_GRAIN);
    float[][] dwParts = new float[chunks][];
    float[][] dbParts = new float[chunks][];
    Parallel.forRange(rows, ROW_GRAIN, (chunk, from, to) -> {
      float[] ws = affine(wt, c, 1f, 2);
      float[] dws = dweight == null ? null : zeroed(chunks == 1 ? Scratch.floats(3, c) : new float[c], c);
      float[] dbs = dbias == null ? null : zeroed(chunks == 1 ? Scratch.floats(4, c) : new float[c], c);
      float[] xhat = Scratch.floats(0, c);
      float[] ds = Scratch.floats(1, c);
      float[] dxhat = Scratch.floats(5, c);
      float[] dx = Scratch.floats(6, c);
      for (int r = from; r < to; r++) {
        float m = mean.get(r);
        float s = rstd.get(r);
        xt.buffer().get(xt.offset() + r * c, xhat, 0, c);
        dout.buffer().get(dout.offset() + r * c, ds, 0, c);
        for (int i = 0; i < c; i++) {
          xhat[i] = (xhat[i] - m) * s;
        }
        for (int i = 0; i < c; i++) {
          dxhat[i] = ds[i] * ws[i];
        }
        if (dbs != null) {
          for (int i = 0; i < c; i++) {
            dbs[i] += ds[i];
          }
        }
        if (dws != null) {
          for (int i = 0; i < c; i++) {
            dws[i] += ds[i] * xhat[i];
          }
        }
        if (dinp != null) {
          float dnormMean = (float) (rowSum(dxhat, c) / c);
          float dnormNormMean = (float) ((Simd.ENABLED ? VectorMath.dot(dxhat, xhat, c) : dot(dxhat, xhat, c)) / c);
          dinp.buffer().get(dinp.offset() + r * c, dx, 0, c);
          for (int i = 0; i < c; i++) {
            dx[i] += s * (dxhat[i] - dnormMean - xhat[i] * dnormNormMean);
          }
          dinp.buffer().put(dinp.offset() + r * c, dx, 0, c);
        }
      }
      dwParts[chunk] = dws;
      dbParts[chunk] = dbs;
    });
    float[] work = Scratch.floats(6, c);
    for (int chunk = 0; chunk < chunks; chunk++) {
      if (dweight != null) {
        addInto(dweight, dwParts[chunk], c, work);
      }
      if (dbias != null) {
        addInto(dbias, dbParts[chunk], c, work);
      }
    }
  }

  private static float[] zeroed(float[] a, int c) {
    Arrays.fill(a, 0, c, 0f);
    return a;
  }

  /** {@code sum_i (a_i - m)^2} in double, with four partial sums. */
  private static double squaredDeviations(float[] a, int n, double m) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      double d0 = a[i] - m;
      double d1 = a[i + 1] - m;
      double d2 = a[i + 2] - m;
      double d3 = a[i + 3] - m;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      double d = a[i] - m;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code t[i] += a[i]} for i < c, through {@code work}. */
  private static void addInto(Tensor t, float[] a, int c, float[] work) {
    t.buffer().get(t.offset(), work, 0, c);
    for (int i = 0; i < c; i++) {
      work[i] += a[i];
    }
    t.buffer().put(t.offset(), work, 0, c);
  }

  /** The affine parameter's C values in scratch {@code slot}, or C copies of {@code identity} when it is absent. */
  private static float[] affine(Tensor t, int c, float identity, int slot) {
    float[] a = Scratch.floats(slot, c);
    if (t == null) {
      Arrays.fill(a, 0, c, identity);
    } else {
      t.buffer().get(t.offset(), a, 0, c);
    }
    return a;
  }

  /** {@code sum_i a_i} over a row: the Vector API kernel when {@link Simd} allows, else {@link #sum(float[], int)}. */
  private static double rowSum(float[] a, int n) {
    return Simd.ENABLED ? VectorMath.sum(a, n) : sum(a, n);
  }

  /** {@code sum_i a_i} in double, with four partial sums so the additions pipeline. */
  static double sum(float[] a, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum_i a[from + i]} for i &lt; n, in double, with four partial sums so the additions pipeline. */
  static double sum(double[] a, int from, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = from;
    int end = from + n;
    for (; i + 3 < end; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < end; i++) {
      s0 += a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum_i a_i b_i} in double, with four partial sums. */
  static double dot(float[] a, float[] b, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += (double) a[i] * b[i];
      s1 += (double) a[i + 1] * b[i + 1];
      s2 += (double) a[i + 2] * b[i + 2];
      s3 += (double) a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) {
      s0 += (double) a[i] * b[i];
    }
    return (s0 + s1) + (s2 + s3);
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
