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
 * {@code n % lanes} elements with scalar code. No vector is passed to or returned from a method of this class, and
 * the constants are broadcast into locals before the loops: a vector that crosses a call C2 did not inline is boxed
 * on the heap, which made the GELU kernel 2-3x slower whenever the JIT happened not to inline a small helper. Long
 * formulas are split into passes over per-thread scratch arrays, so each loop stays small.
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
    FloatVector log2e = FloatVector.broadcast(S, LOG2E);
    FloatVector rounder = FloatVector.broadcast(S, ROUNDER);
    FloatVector minusLn2Hi = FloatVector.broadcast(S, -LN2_HI);
    FloatVector minusLn2Lo = FloatVector.broadcast(S, -LN2_LO);
    FloatVector c7 = FloatVector.broadcast(S, 1f / 5040);
    FloatVector c6 = FloatVector.broadcast(S, 1f / 720);
    FloatVector c5 = FloatVector.broadcast(S, 1f / 120);
    FloatVector c4 = FloatVector.broadcast(S, 1f / 24);
    FloatVector c3 = FloatVector.broadcast(S, 1f / 6);
    FloatVector c2 = FloatVector.broadcast(S, 0.5f);
    FloatVector one = FloatVector.broadcast(S, 1f);
    int bound = S.loopBound(n);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector v = FloatVector.fromArray(S, a, i).max(EXP_LOW).min(EXP_HIGH);
      FloatVector k = v.fma(log2e, rounder); // round(v / ln 2) + ROUNDER
      FloatVector kf = k.sub(rounder); // round(v / ln 2)
      FloatVector r = kf.fma(minusLn2Hi, v);
      r = kf.fma(minusLn2Lo, r); // v - k ln 2, |r| <= ln 2 / 2
      FloatVector p = r.fma(c7, c6).fma(r, c5).fma(r, c4).fma(r, c3).fma(r, c2).fma(r, one).fma(r, one); // exp(r)
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
   * gives {@code phi}. Against the double-precision kernel the relative error of gelu is below 1.5e-6 for
   * |x| &lt;= 3 and 2e-5 out to |x| = 12 (float's rounding of a^2 in the far tail), the derivative's absolute error
   * below 3e-7 ({@code VectorMathTest}). About 4x faster than the double kernel on AVX2 (2.3 against 8-11 ns per
   * element, measured on this project's 2-core VM).
   */
  static void gelu(float[] xs, float[] ys, float[] ds, int n) {
    int bound = S.loopBound(n);
    float[] t = Scratch.floats(5, bound); // t = 1 / (1 + a/2)
    float[] gauss = Scratch.floats(6, bound); // -a^2, then exp(-a^2) = sqrt(2 pi) phi(x)
    float[] tail = Scratch.floats(7, bound); // P(t), then exp(P(t))
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector half = FloatVector.broadcast(S, 0.5f);
    // Numerical Recipes' P(t), highest power first
    FloatVector p9 = FloatVector.broadcast(S, 0.17087277f);
    FloatVector p8 = FloatVector.broadcast(S, -0.82215223f);
    FloatVector p7 = FloatVector.broadcast(S, 1.48851587f);
    FloatVector p6 = FloatVector.broadcast(S, -1.13520398f);
    FloatVector p5 = FloatVector.broadcast(S, 0.27886807f);
    FloatVector p4 = FloatVector.broadcast(S, -0.18628806f);
    FloatVector p3 = FloatVector.broadcast(S, 0.09678418f);
    FloatVector p2 = FloatVector.broadcast(S, 0.37409196f);
    FloatVector p1 = FloatVector.broadcast(S, 1.00002368f);
    FloatVector p0 = FloatVector.broadcast(S, -1.26551223f);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector a = FloatVector.fromArray(S, xs, i).mul(SQRT_HALF).abs().min(GELU_Z_MAX);
      FloatVector ti = one.div(a.fma(half, one));
      ti.intoArray(t, i);
      a.mul(a).neg().intoArray(gauss, i);
      ti.fma(p9, p8).fma(ti, p7).fma(ti, p6).fma(ti, p5).fma(ti, p4).fma(ti, p3).fma(ti, p2).fma(ti, p1)
          .fma(ti, p0).intoArray(tail, i);
    }
    expInPlace(gauss, bound);
    expInPlace(tail, bound);
    for (int i = 0; i < bound; i += LANES) {
      FloatVector x = FloatVector.fromArray(S, xs, i);
      FloatVector g = FloatVector.fromArray(S, gauss, i);
      FloatVector h = FloatVector.fromArray(S, t, i).mul(0.5f).mul(g).mul(FloatVector.fromArray(S, tail, i));
      FloatVector phi = h.blend(one.sub(h), x.compare(VectorOperators.GT, 0f)); // Phi(x)
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
}
