package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float32 Vector API kernels against their double-precision counterparts. The tests call {@link VectorMath}
 * directly, so they run in both Surefire executions (the second one switches the kernels off for the ops with
 * {@code -Dspindle.simd=false}, but the module is still there).
 */
class VectorMathTest {
  private static final double FLOAT_EPS = Math.ulp(1f) / 2; // unit roundoff of float32, 6e-8

  /**
   * GELU on a grid over [-12, 12] plus special values, an odd length so the scalar tail runs too. The bounds are the
   * float kernel's documented accuracy: relative error of gelu below 1.5e-6 for |x| &lt;= 3 (about 25 roundings of
   * 6e-8 plus Numerical Recipes' 1.2e-7) and 2e-5 beyond (float's rounding of a^2 = x^2 / 2, up to 72, feeds
   * exp(-a^2) with an absolute error of a^2 * 6e-8); the derivative is bounded absolutely because it crosses zero
   * at x = -0.75.
   */
  @Test
  void geluMatchesTheDoubleKernel() {
    int n = 24001;
    float[] xs = new float[n + 6];
    for (int i = 0; i < n; i++) {
      xs[i] = -12f + i * 1e-3f;
    }
    float[] special = {0f, -0f, 1e-30f, -1e-30f, 40f, -40f};
    System.arraycopy(special, 0, xs, n, special.length);
    float[] ys = new float[xs.length];
    float[] ds = new float[xs.length];
    float[] refY = new float[xs.length];
    float[] refD = new float[xs.length];
    float[] onlyY = new float[xs.length];
    for (int start = 0; start < xs.length; start += 2048) {
      int len = Math.min(2048, xs.length - start);
      float[] block = Arrays.copyOfRange(xs, start, start + len);
      float[] y = new float[len];
      float[] d = new float[len];
      VectorMath.gelu(block, y, d, len);
      System.arraycopy(y, 0, ys, start, len);
      System.arraycopy(d, 0, ds, start, len);
      VectorMath.gelu(block, y, null, len);
      System.arraycopy(y, 0, onlyY, start, len);
      Activations.geluBlock(block, y, d, len);
      System.arraycopy(y, 0, refY, start, len);
      System.arraycopy(d, 0, refD, start, len);
    }
    for (int i = 0; i < xs.length; i++) {
      double x = xs[i];
      double tolerance = Math.abs(x) <= 3 ? 1.5e-6 : 2e-5;
      assertEquals(refY[i], ys[i], tolerance * Math.abs(refY[i]) + 1e-37, "gelu(" + x + ")");
      assertEquals(refD[i], ds[i], 3e-7, "gelu'(" + x + ")");
      assertEquals(ys[i], onlyY[i], 0f, "gelu(" + x + ") without the derivative");
    }
    float[] nan = {Float.NaN, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
    VectorMath.gelu(nan, new float[9], new float[9], 9);
    float[] out = new float[9];
    VectorMath.gelu(nan, out, null, 9);
    assertTrue(Float.isNaN(out[0]), "gelu(NaN) is NaN");
  }

  /** exp against Math.exp over its whole range: a few ulp (the degree-7 polynomial, the reduction, the roundings). */
  @Test
  void expMatchesMathExp() {
    int n = 17503;
    float[] a = new float[n];
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -87f + i * (175f / n);
      a[i] = x[i];
    }
    VectorMath.expInPlace(a, n);
    for (int i = 0; i < n; i++) {
      double ref = Math.exp(x[i]);
      assertEquals(ref, a[i], 4 * FLOAT_EPS * 2 * ref, "exp(" + x[i] + ")");
    }
    float[] edges = {-200f, Float.NEGATIVE_INFINITY, 200f, Float.NaN, 0f, -0f, 1f, -1f, 88f};
    VectorMath.expInPlace(edges, edges.length);
    assertEquals((float) Math.exp(-87), edges[0], 1e-44f, "below the range: clamped to exp(-87), not 0");
    assertEquals((float) Math.exp(-87), edges[1], 1e-44f, "exp(-inf) clamped like the rest");
    assertTrue(Float.isFinite(edges[2]) && edges[2] > 1e38f, "above the range: clamped to exp(88), finite");
    assertTrue(Float.isNaN(edges[3]), "NaN stays NaN");
    assertEquals(1f, edges[4], 0f);
    assertEquals(1f, edges[5], 0f);
    assertEquals(Math.E, edges[6], 4 * FLOAT_EPS * 2 * Math.E);
  }

  /**
   * Sums, squared deviations and dot products against double, at lengths around the lane count. Whatever the order
   * of the additions, a float sum of n terms is within {@code (n - 1) u sum |terms|} of the exact one (u the unit
   * roundoff), plus one rounding per product for the dot product.
   */
  @Test
  void reductionsMatchDouble() {
    Random rnd = new Random(11);
    for (int n : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 128, 1000}) {
      float[] a = new float[n];
      float[] b = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = (float) (rnd.nextGaussian() + 0.5);
        b[i] = (float) rnd.nextGaussian();
      }
      double sum = 0;
      double abs = 0;
      double dot = 0;
      double absDot = 0;
      for (int i = 0; i < n; i++) {
        sum += a[i];
        abs += Math.abs(a[i]);
        dot += (double) a[i] * b[i];
        absDot += Math.abs((double) a[i] * b[i]);
      }
      float m = (float) (sum / Math.max(1, n));
      double dev = 0;
      for (int i = 0; i < n; i++) {
        dev += ((double) a[i] - m) * ((double) a[i] - m);
      }
      double bound = Math.max(1, n) * FLOAT_EPS;
      assertEquals(sum, VectorMath.sum(a, n), bound * abs + 1e-30, "sum n=" + n);
      assertEquals(dot, VectorMath.dot(a, b, n), (bound + FLOAT_EPS) * absDot + 1e-30, "dot n=" + n);
      // each deviation a_i - m is rounded once too
      assertEquals(dev, VectorMath.squaredDeviations(a, n, m), (bound + 3 * FLOAT_EPS) * dev + 1e-30,
          "squared deviations n=" + n);
    }
  }
}
