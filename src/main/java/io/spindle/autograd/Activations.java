package io.spindle.autograd;

import io.spindle.tensor.Parallel;
import io.spindle.tensor.Scratch;
import io.spindle.tensor.Simd;
import io.spindle.tensor.Tensor;

/**
 * Elementwise activations: the exact (erf) GELU that PyTorch's {@code nn.GELU()} computes by default, and ReLU.
 *
 * <p>GELU (Hendrycks and Gimpel 2016) is {@code x * Phi(x)} with {@code Phi} the standard normal CDF,
 * {@code Phi(x) = 0.5 * (1 + erf(x / sqrt 2))}. With the Vector API ({@link Simd}) it is evaluated in float32 SIMD
 * code ({@link VectorMath#gelu}, relative error below 1.5e-6 for |x| &lt;= 3); otherwise, and in the tests' oracle,
 * in double and rounded once to float ({@link #geluBlock}).
 */
public final class Activations {
  private static final double SQRT_HALF = Math.sqrt(0.5);
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);
  /** Below this |z|, erf uses its Maclaurin series; at and above it, erfc uses the Chebyshev fit. */
  private static final double SERIES_LIMIT = 1.0;
  /**
   * Maclaurin coefficients {@code erf(z) = sum_n SERIES[n] z^(2n+1)}, {@code SERIES[n] = 2/sqrt(pi) (-1)^n /
   * (n! (2n+1))}. Fourteen terms: for |z| < 1 the first omitted term is below 2/sqrt(pi) / (14! 29) = 4e-13.
   */
  private static final double[] SERIES = new double[14];

  static {
    double factorial = 1;
    for (int n = 0; n < SERIES.length; n++) {
      if (n > 0) {
        factorial *= n;
      }
      SERIES[n] = 2 / Math.sqrt(Math.PI) * (n % 2 == 0 ? 1 : -1) / (factorial * (2 * n + 1));
    }
  }

  // The series coefficients as constants for the vectorised kernel: C2 folds static finals into the code, whereas
  // fourteen locals loaded from SERIES ran out of vector registers (three times slower when tried).
  private static final double S0 = SERIES[0];
  private static final double S1 = SERIES[1];
  private static final double S2 = SERIES[2];
  private static final double S3 = SERIES[3];
  private static final double S4 = SERIES[4];
  private static final double S5 = SERIES[5];
  private static final double S6 = SERIES[6];
  private static final double S7 = SERIES[7];
  private static final double S8 = SERIES[8];
  private static final double S9 = SERIES[9];
  private static final double S10 = SERIES[10];
  private static final double S11 = SERIES[11];
  private static final double S12 = SERIES[12];
  private static final double S13 = SERIES[13];

  /** Elements per thread at least, when {@link Parallel} op threads are on. */
  private static final int GRAIN = 1 << 15;
  /** Per-thread index list of {@link #geluBlock}'s elements outside the series' range. */
  private static final ThreadLocal<int[]> FAR = ThreadLocal.withInitial(() -> new int[Scratch.BLOCK + 1]);

  private Activations() {}

  /**
   * {@code gelu(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}, the exact form (not the tanh approximation).
   *
   * <p>When the graph records, the forward also stores the local derivative {@code Phi(x) + x phi(x)} (one float per
   * element), which it computes anyway from the same Phi, so backward is a plain multiply-add with no erf or exp.
   */
  public static Variable gelu(Graph g, Variable x) {
    Tensor xt = x.value();
    Tensor out = g.empty(xt.shape()); // same shape as x
    boolean save = g.needsGrad(x);
    Tensor local = save ? g.empty(xt.shape()) : null; // d gelu / dx at x, same shape as x
    blocks(xt.size(), (start, len, xs, ys, ds) -> {
      xt.buffer().get(xt.offset() + start, xs, 0, len);
      if (Simd.ENABLED) {
        VectorMath.gelu(xs, ys, save ? ds : null, len);
      } else {
        geluBlock(xs, ys, save ? ds : null, len);
      }
      out.buffer().put(out.offset() + start, ys, 0, len);
      if (save) {
        local.buffer().put(local.offset() + start, ds, 0, len);
      }
    });
    if (!save) {
      return Variable.constant(out);
    }
    return g.record(out, dout -> {
      // forward: out = x * Phi(x); d/dx = Phi(x) + x * phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi), saved as local
      multiplyAccumulate(g.gradOf(x), dout, local);
    }, x);
  }

  /** {@code relu(x) = max(0, x)}. */
  public static Variable relu(Graph g, Variable x) {
    Tensor xt = x.value();
    Tensor out = g.empty(xt.shape()); // same shape as x
    blocks(xt.size(), (start, len, xs, b, c) -> { // one array needed: b and c unused
      xt.buffer().get(xt.offset() + start, xs, 0, len);
      for (int i = 0; i < len; i++) {
        xs[i] = xs[i] > 0f ? xs[i] : 0f;
      }
      out.buffer().put(out.offset() + start, xs, 0, len);
    });
    return g.record(out, dout -> {
      // forward: out = max(0, x); d/dx = 1 where x > 0, else 0 (0 at the kink, as PyTorch)
      Tensor dinp = g.gradOf(x);
      blocks(dinp.size(), (start, len, as, ds, vs) -> {
        dinp.buffer().get(dinp.offset() + start, as, 0, len);
        dout.buffer().get(dout.offset() + start, ds, 0, len);
        xt.buffer().get(xt.offset() + start, vs, 0, len);
        for (int i = 0; i < len; i++) {
          as[i] += vs[i] > 0f ? ds[i] : 0f;
        }
        dinp.buffer().put(dinp.offset() + start, as, 0, len);
      });
    }, x);
  }

  /**
   * {@code ys[i] = gelu(xs[i])} and, when {@code ds} is not null, {@code ds[i] = gelu'(xs[i]) = Phi + x phi}, for
   * i &lt; n: the math of {@link #normalCdf} (z = x / sqrt 2; the series for |z| &lt; 1, the Chebyshev erfc beyond)
   * in double, with {@link Exp} for the exponentials; the result differs from {@code x * normalCdf(x)} only by Exp's
   * 2e-10 relative error before the rounding to float.
   *
   * <p>Most inputs of a GELU have |z| &lt; 1, where Phi needs only the series and phi only a short exp. So every
   * element first takes that cheap path (the series at z clamped to [-1, 1], which keeps it finite), and the
   * elements with |z| &gt;= 1 (or NaN) are then gathered, run through the erfc path and scattered back. Each path's
   * loops are branch-free, do not mix float and double arrays and write one array each: C2 vectorises only such
   * loops (a second output array made the series loop five times slower when tried).
   */
  static void geluBlock(float[] xs, float[] ys, float[] ds, int n) {
    double[] x = Scratch.doubles(0, n);
    double[] y = Scratch.doubles(1, n); // gelu(x)
    double[] d = Scratch.doubles(2, n); // Phi(x), then gelu'(x)
    double[] e = Scratch.doubles(3, n); // -z^2 (|z| clamped to 1), then exp of it
    for (int i = 0; i < n; i++) {
      x[i] = xs[i];
    }
    for (int i = 0; i < n; i++) {
      double zc = Math.max(-1, Math.min(1, x[i] * SQRT_HALF));
      double u = zc * zc;
      double u2 = u * u;
      double u4 = u2 * u2;
      // erf by the series in u = z^2, Estrin's scheme (short dependency chains; see Exp)
      double erf = zc * (((S0 + S1 * u) + u2 * (S2 + S3 * u) + u4 * ((S4 + S5 * u) + u2 * (S6 + S7 * u)))
          + u4 * u4 * ((S8 + S9 * u) + u2 * (S10 + S11 * u) + u4 * (S12 + S13 * u)));
      d[i] = 0.5 + 0.5 * erf; // Phi(x) for |z| < 1
    }
    for (int i = 0; i < n; i++) {
      y[i] = x[i] * d[i];
    }
    if (ds != null) {
      for (int i = 0; i < n; i++) {
        double zc = Math.max(-1, Math.min(1, x[i] * SQRT_HALF));
        e[i] = -zc * zc;
      }
      Exp.expSmallInPlace(e, n); // exp(-z^2) = sqrt(2 pi) phi(x), for |z| <= 1
      for (int i = 0; i < n; i++) {
        d[i] = d[i] + x[i] * INV_SQRT_2PI * e[i];
      }
    }
    // the elements the series does not cover: |z| >= 1, and NaN
    int[] far = farIndices(x, n);
    int m = far[n];
    if (m > 0) {
      double[] xf = Scratch.doubles(4, m);
      for (int j = 0; j < m; j++) {
        xf[j] = x[far[j]];
      }
      double[] yf = Scratch.doubles(5, m);
      double[] df = Scratch.doubles(6, m);
      geluFar(xf, yf, df, m);
      for (int j = 0; j < m; j++) {
        y[far[j]] = yf[j];
        d[far[j]] = df[j];
      }
    }
    for (int i = 0; i < n; i++) {
      ys[i] = (float) y[i];
    }
    if (ds != null) {
      for (int i = 0; i < n; i++) {
        ds[i] = (float) d[i];
      }
    }
  }

  /** Indices i &lt; n with {@code !(|x_i| / sqrt 2 < 1)}, in a per-thread array whose entry n holds their count. */
  private static int[] farIndices(double[] x, int n) {
    int[] far = FAR.get();
    if (far.length < n + 1) {
      far = new int[n + 1];
      FAR.set(far);
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (!(Math.abs(x[i] * SQRT_HALF) < 1)) {
        far[m++] = i;
      }
    }
    far[n] = m;
    return far;
  }

  /**
   * gelu and gelu' for arguments with |z| &gt;= 1, from {@code erfc(|z|) = t exp(-z^2) exp(P(t))} (Numerical
   * Recipes' fit, see {@link #erfc}): {@code Phi = 1 - erfc(|z|) / 2} for z &gt; 0 and {@code erfc(|z|) / 2} for
   * z &lt; 0, picked by a weight that is exactly 0 or 1.
   */
  private static void geluFar(double[] x, double[] y, double[] d, int m) {
    double[] t = Scratch.doubles(7, m); // t = 1 / (1 + |z| / 2), then Phi
    double[] tail = y; // P(t), then exp of it; y is written last
    double[] gauss = d; // -z^2, then exp of it; d is written last
    for (int i = 0; i < m; i++) {
      t[i] = 1 / (1 + 0.5 * Math.abs(x[i] * SQRT_HALF));
    }
    for (int i = 0; i < m; i++) {
      double z = x[i] * SQRT_HALF;
      gauss[i] = -z * z;
    }
    for (int i = 0; i < m; i++) {
      double ti = t[i];
      double t2 = ti * ti;
      double t4 = t2 * t2;
      tail[i] = ((-1.26551223 + 1.00002368 * ti) + t2 * (0.37409196 + 0.09678418 * ti)
          + t4 * ((-0.18628806 + 0.27886807 * ti) + t2 * (-1.13520398 + 1.48851587 * ti)))
          + t4 * t4 * (-0.82215223 + 0.17087277 * ti);
    }
    Exp.expInPlace(gauss, m); // exp(-z^2), shared by erfc and by phi in the derivative
    Exp.expSmallInPlace(tail, m); // P(t) lies in [-1.27, 0]
    for (int i = 0; i < m; i++) {
      double z = x[i] * SQRT_HALF;
      double h = 0.5 * t[i] * (gauss[i] * tail[i]); // 0.5 erfc(|z|)
      double positive = Math.min(1, Math.max(0, 0.5 + z * 1e300)); // 1 for z > 0, 0 for z < 0
      t[i] = h + positive * (1 - 2 * h); // Phi
    }
    for (int i = 0; i < m; i++) {
      y[i] = x[i] * t[i];
    }
    for (int i = 0; i < m; i++) {
      d[i] = t[i] + x[i] * INV_SQRT_2PI * gauss[i];
    }
  }

  /** {@code dinp += dout * local}, elementwise over equal sizes. */
  private static void multiplyAccumulate(Tensor dinp, Tensor dout, Tensor local) {
    blocks(dinp.size(), (start, len, as, ds, ls) -> {
      dinp.buffer().get(dinp.offset() + start, as, 0, len);
      dout.buffer().get(dout.offset() + start, ds, 0, len);
      local.buffer().get(local.offset() + start, ls, 0, len);
      for (int i = 0; i < len; i++) {
        as[i] += ds[i] * ls[i];
      }
      dinp.buffer().put(dinp.offset() + start, as, 0, len);
    });
  }

  /** One block's work: elements [start, start + len) with this thread's scratch arrays of slots 0, 1 and 2. */
  private interface Block {
    void apply(int start, int len, float[] a, float[] b, float[] c);
  }

  /**
   * Runs {@code body} over elements [0, n) block by block ({@link Scratch#BLOCK} at most), the blocks split into
   * chunks of at least {@code GRAIN} elements between the op threads ({@link Parallel}); elementwise kernels give
   * the same bits however they are split.
   */
  private static void blocks(int n, Block body) {
    Parallel.forRange(n, GRAIN, (chunk, from, to) -> {
      float[] a = Scratch.floats(0, Scratch.BLOCK);
      float[] b = Scratch.floats(1, Scratch.BLOCK);
      float[] c = Scratch.floats(2, Scratch.BLOCK);
      for (int start = from; start < to; start += Scratch.BLOCK) {
        body.apply(start, Math.min(Scratch.BLOCK, to - start), a, b, c);
      }
    });
  }

  /**
   * The standard normal CDF {@code Phi(x) = 0.5 erfc(-x / sqrt 2)}, written with erfc on whichever side keeps the
   * relative accuracy of the small tail (for x = -10, Phi is 7.6e-24, which 1 + erf(x / sqrt 2) would round to 0).
   */
  static double normalCdf(double x) {
    double z = x * SQRT_HALF;
    return z >= 0 ? 1 - 0.5 * erfc(z) : 0.5 * erfc(-z);
  }

  /**
   * The error function {@code erf(z) = 2/sqrt(pi) integral_0^z exp(-t^2) dt}, relative error below 2.3e-8.
   *
   * <p>For |z| < 1 the Maclaurin series above (relative error under 1e-12). For |z| >= 1, {@code 1 - erfc(|z|)}
   * with the Chebyshev erfc below: its fractional error of 1.2e-7 becomes {@code 1.2e-7 * erfc(z) / erf(z)} in erf,
   * at most 2.3e-8 (at z = 1) and falling fast beyond.
   */
  static double erf(double z) {
    double a = Math.abs(z);
    if (a < SERIES_LIMIT) {
      double z2 = z * z;
      double acc = 0;
      for (int n = SERIES.length - 1; n >= 0; n--) {
        acc = acc * z2 + SERIES[n];
      }
      return z * acc;
    }
    double e = 1 - erfc(a);
    return z < 0 ? -e : e;
  }

  /**
   * The complementary error function {@code erfc(z) = 1 - erf(z)}.
   *
   * <p>For z >= 1 (and its mirror {@code 2 - erfc(-z)} for z <= -1): the Chebyshev fit of W. H. Press et al.,
   * <i>Numerical Recipes in C</i>, 2nd ed., section 6.2 ({@code erfcc}), {@code erfc(z) = t exp(-z^2 + P(t))} with
   * {@code t = 1 / (1 + z/2)} and P a degree-9 polynomial; its fractional error is below 1.2e-7 for every z >= 0.
   * For |z| < 1, {@code 1 - erf(z)} from the series, which erfc >= 0.157 keeps accurate.
   */
  static double erfc(double z) {
    if (Math.abs(z) < SERIES_LIMIT) {
      return 1 - erf(z);
    }
    if (z < 0) {
      return 2 - erfc(-z);
    }
    double t = 1 / (1 + 0.5 * z);
    double p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    return t * Math.exp(-z * z + p);
  }
}
