package io.spindle.autograd;

import io.spindle.tensor.Scratch;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element kernels of the autograd ops in float32 SIMD code on the incubating Vector API. Only loaded when
 * {@link io.spindle.tensor.Simd#ENABLED} (the JVM has the module); each kernel's plain-Java counterpart stays the
 * fallback and the tests' oracle.
 *
 * <p>Written for C2: every loop processes whole vectors of the preferred species and finishes the last
 * {@code n % lanes} elements with scalar code; each loop body is inlined by hand (a vector passed to or returned from
 * a method that C2 does not inline is boxed on the heap, which made a first version of the GELU kernel 3x slower),
 * and long formulas are split into passes over per-thread scratch arrays, each short enough to inline.
 */
final class VectorMath {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = S.length();

  // exp(v) = 2^k exp(r), k = round(v / ln 2), r = v - k ln 2 with ln 2 split in two (Cody and Waite) so that k ln 2
  // is exact to float precision for |k| <= 128
  private static final float LOG2E = (float) (1 / Math.log(2));
  private static final float LN2_HI = 0.693145751953125f; // ln 2 rounded to 16 significant bits: k * LN2_HI is exact
  private static final float LN2_LO = (float) (Math.log(2) - 0.693145751953125);
  /** Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, which then sits in the low bits. */
  private static final float ROUNDER = 12582912f;
  /** Added to {@code bits(v / ln 2 + ROUNDER) << 23} it gives the bits of 2^k: {@code (k + 127) << 23}. */
  private static final int EXPONENT_BIAS = (127 << 23) - (Float.floatToRawIntBits(ROUNDER) << 23);
  /** exp's argument range: 2^k stays a normal float (k in [-126, 127]) and the result finite. */
  private static final float EXP_LOW = -87f;
  private static final float EXP_HIGH = 88f;

  private static final float SQRT_HALF = (float) Math.sqrt(0.5);
  private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
  /** GELU clamps |x / sqrt 2| here: erfc(9) = 4e-37, so Phi is 0 or 1 to float precision beyond. */
  private static final float GELU_Z_MAX = 9f;

  private VectorMath() {}

  /**
   * {@code a[i] = exp(a[i])} for i &lt; n in float: relative error about 2 ulp (degree-7 Taylor polynomial on
   * |r| &lt;= ln 2 / 2, truncation below 6e-9). Arguments are clamped to [-87, 88], so the result is at least
   * 1.6e-38 (never 0) and finite; NaN stays NaN.
   */
  static void expInPlace(float[] a, int n) {
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector v = FloatVector.fromArray(S, a, i).max(EXP_LOW).min(EXP_HIGH);
      FloatVector k = v.fma(c(LOG2E), c(ROUNDER)); // round(v / ln 2) + ROUNDER
      FloatVector kf = k.sub(ROUNDER); // round(v / ln 2)
      FloatVector r = kf.fma(c(-LN2_HI), v);
      r = kf.fma(c(-LN2_LO), r); // v - k ln 2, |r| <= ln 2 / 2
      FloatVector p = r.fma(c(1f / 5040), c(1f / 720)).fma(r, c(1f / 120)).fma(r, c(1f / 24)).fma(r, c(1f / 6))
          .fma(r, c(0.5f)).fma(r, c(1f)).fma(r, c(1f)); // exp(r)
      FloatVector twoK = k.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(EXPONENT_BIAS)
          .reinterpretAsFloats(); // 2^k
      p.mul(twoK).intoArray(a, i);
    }
    for (int i = bound; i < n; i++) {
      a[i] = (float) Math.exp(Math.max(EXP_LOW, Math.min(EXP_HIGH, a[i])));
    }
  }

  /**
   * The float32 counterpart of {@link Activations#geluBlock}: {@code ys[i] = gelu(xs[i]) = x Phi(x)} and, when
   * {@code ds} is not null, {@code ds[i] = Phi(x) + x phi(x)}, for i &lt; n (n at most {@code Scratch.BLOCK}).
   *
   * <p>One formula everywhere, no branches: with {@code a = |x| / sqrt 2} (clamped to 9) and Numerical Recipes'
   * {@code 0.5 erfc(a) = 0.5 t exp(-a^2) exp(P(t))}, {@code t = 1 / (1 + a/2)} (the fit {@link Activations#erfc} uses,
   * fractional error 1.2e-7), {@code Phi = h} for x &lt;= 0 and {@code 1 - h} for x &gt; 0; {@code exp(-a^2)} also
   * gives {@code phi}. Against the double-precision kernel the relative error of gelu is below 1e-6 for |x| &lt;= 3 and
   * 2e-5 out to |x| = 12 (float's rounding of a^2 in the far tail), the derivative's absolute error below 2e-7
   * (GeluVectorTest). About 4x faster than the double kernel on AVX2.
   */
  static void gelu(float[] xs, float[] ys, float[] ds, int n) {
    int bound = S.loopBound(n);
    float[] t = Scratch.floats(5, bound); // t = 1 / (1 + a/2)
    float[] gauss = Scratch.floats(6, bound); // -a^2, then exp(-a^2) = sqrt(2 pi) phi(x)
    float[] tail = Scratch.floats(7, bound); // P(t), then exp(P(t))
    for (int i = 0; i < bound; i += LANES) {
      FloatVector a = FloatVector.fromArray(S, xs, i).mul(SQRT_HALF).abs().min(GELU_Z_MAX);
      FloatVector ti = c(1f).div(a.fma(c(0.5f), c(1f)));
      ti.intoArray(t, i);
      a.mul(a).neg().intoArray(gauss, i);
      ti.fma(c(0.17087277f), c(-0.82215223f)).fma(ti, c(1.48851587f)).fma(ti, c(-1.13520398f))
          .fma(ti, c(0.27886807f)).fma(ti, c(-0.18628806f)).fma(ti, c(0.09678418f)).fma(ti, c(0.37409196f))
          .fma(ti, c(1.00002368f)).fma(ti, c(-1.26551223f)).intoArray(tail, i);
    }
    expInPlace(gauss, bound);
    expInPlace(tail, bound);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector x = FloatVector.fromArray(S, xs, i);
      FloatVector g = FloatVector.fromArray(S, gauss, i);
      FloatVector h = FloatVector.fromArray(S, t, i).mul(0.5f).mul(g).mul(FloatVector.fromArray(S, tail, i));
      FloatVector phi = h.blend(c(1f).sub(h), x.compare(VectorOperators.GT, 0f)); // Phi(x)
      x.mul(phi).intoArray(ys, i);
      if (ds != null) {
        x.mul(INV_SQRT_2PI).fma(g, phi).intoArray(ds, i); // Phi + x phi
      }
    }
    for (int i = bound; i < n; i++) {
      double x = xs[i];
      double cdf = Activations.normalCdf(x);
      ys[i] = (float) (x * cdf);
      if (ds != null) {
        ds[i] = (float) (cdf + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
      }
    }
  }

  /** {@code sum_i a_i} for i &lt; n, in float with one partial sum per lane of two vectors. */
  static float sum(float[] a, int n) {
    int bound = S.loopBound(n);
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int i = 0;
    for (; i + LANES < bound; i += 2 * LANES) {
      s0 = s0.add(FloatVector.fromArray(S, a, i));
      s1 = s1.add(FloatVector.fromArray(S, a, i + LANES));
    }
    for (; i < bound; i += LANES) {
      s0 = s0.add(FloatVector.fromArray(S, a, i));
    }
    float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += a[i];
    }
    return s;
  }

  /** {@code sum_i (a_i - m)^2} for i &lt; n, in float with one partial sum per lane. */
  static float squaredDeviations(float[] a, int n, float m) {
    int bound = S.loopBound(n);
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int i = 0;
    for (; i + LANES < bound; i += 2 * LANES) {
      FloatVector d0 = FloatVector.fromArray(S, a, i).sub(m);
      FloatVector d1 = FloatVector.fromArray(S, a, i + LANES).sub(m);
      s0 = d0.fma(d0, s0);
      s1 = d1.fma(d1, s1);
    }
    for (; i < bound; i += LANES) {
      FloatVector d0 = FloatVector.fromArray(S, a, i).sub(m);
      s0 = d0.fma(d0, s0);
    }
    float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      float d = a[i] - m;
      s += d * d;
    }
    return s;
  }

  /** {@code sum_i a_i b_i} for i &lt; n, in float with one partial sum per lane. */
  static float dot(float[] a, float[] b, int n) {
    int bound = S.loopBound(n);
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int i = 0;
    for (; i + LANES < bound; i += 2 * LANES) {
      s0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), s0);
      s1 = FloatVector.fromArray(S, a, i + LANES).fma(FloatVector.fromArray(S, b, i + LANES), s1);
    }
    for (; i < bound; i += LANES) {
      s0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), s0);
    }
    float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static FloatVector c(float v) {
    return FloatVector.broadcast(S, v);
  }
}
