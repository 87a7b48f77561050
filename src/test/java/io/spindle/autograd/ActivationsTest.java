package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivationsTest {
  private final Random rnd = new Random(4);

  /**
   * erf in double from the all-positive series {@code erf(z) = 2/sqrt(pi) e^(-z^2) sum_n (2z^2)^n z / (2n+1)!!},
   * which has no cancellation: accurate to about 1e-15 relative for |z| <= 3.
   */
  private static double erfSeries(double z) {
    double term = z;
    double sum = z;
    for (int n = 1; Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
      term *= 2 * z * z / (2 * n + 1);
      sum += term;
    }
    return 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
  }

  /** erfc in double from Laplace's continued fraction, evaluated bottom-up; accurate to ~1e-15 for z >= 3. */
  private static double erfcContinuedFraction(double z) {
    double f = z;
    for (int k = 200; k >= 1; k--) {
      f = z + (k / 2.0) / f;
    }
    return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
  }

  private static void assertRelative(double expected, double actual, double tolerance, String what) {
    assertTrue(Math.abs(actual - expected) <= tolerance * Math.abs(expected),
        what + ": expected " + expected + ", got " + actual + ", relative error "
            + Math.abs(actual - expected) / Math.abs(expected));
  }

  @Test
  void erfKnownValues() {
    assertEquals(0.0, Activations.erf(0.0), 0.0);
    assertRelative(0.5204998778130465, Activations.erf(0.5), 2.3e-8, "erf(0.5)");
    assertRelative(0.8427007929497149, Activations.erf(1), 2.3e-8, "erf(1)");
    assertRelative(0.9953222650189527, Activations.erf(2), 2.3e-8, "erf(2)");
    assertRelative(-0.9661051464753108, Activations.erf(-1.5), 2.3e-8, "erf(-1.5)");
    assertRelative(1e-6 * 2 / Math.sqrt(Math.PI), Activations.erf(1e-6), 1e-12, "erf(1e-6)");
    assertEquals(1.0, Activations.erf(10), 1e-15);
    assertEquals(-1.0, Activations.erf(-10), 1e-15);
  }

  /** The documented accuracy, over a grid: erf relative error below 2.3e-8, erfc tail below 1.2e-7. */
  @Test
  void erfAccuracyOverGrid() {
    double worstErf = 0;
    for (int k = -3000; k <= 3000; k++) {
      double z = k * 1e-3;
      if (z != 0) {
        double ref = erfSeries(z);
        worstErf = Math.max(worstErf, Math.abs(Activations.erf(z) - ref) / Math.abs(ref));
      }
    }
    assertTrue(worstErf < 2.3e-8, "erf worst relative error " + worstErf);
    double worstErfc = 0;
    for (int k = 0; k <= 5000; k++) {
      double z = 1 + k * 1e-3; // [1, 6]
      double ref = z < 3 ? 1 - erfSeries(z) : erfcContinuedFraction(z);
      worstErfc = Math.max(worstErfc, Math.abs(Activations.erfc(z) - ref) / ref);
      worstErfc = Math.max(worstErfc, Math.abs(Activations.erfc(-z) - (2 - ref)) / (2 - ref));
    }
    assertTrue(worstErfc < 1.2e-7, "erfc worst relative error " + worstErfc);
  }

  @Test
  void geluKnownValues() {
    Tensor x = Tensor.of(new float[] {1f, -0.5f, 0f, 3f, -10f}, 5);
    Tensor y = Activations.gelu(Graph.inference(), Variable.constant(x)).value();
    double[] expected = {0.8413447460685429, -0.15426876936299347, 0, 2.99595030590511, -7.619853024160593e-23};
    for (int i = 0; i < expected.length; i++) {
      // one float rounding of the result: 6e-8 relative, plus erf's error
      assertEquals(expected[i], y.get(i), 2e-7 * Math.abs(expected[i]), "gelu(" + x.get(i) + ")");
    }
  }

  /**
   * The vectorised block kernel against the scalar formula it restates, {@code x * normalCdf(x)} and
   * {@code normalCdf(x) + x phi(x)} in double with Math.exp: they may differ by Exp's 2e-10 relative error before
   * rounding, so by at most one float ulp after it. The grid crosses the |z| = 1 switch between the branches.
   */
  @Test
  void blockKernelMatchesScalarFormula() {
    int n = 24001;
    float[] xs = new float[n + 6];
    for (int i = 0; i < n; i++) {
      xs[i] = -12f + i * 1e-3f;
    }
    float[] special = {0f, -0f, (float) Math.sqrt(2), (float) -Math.sqrt(2), 1e-30f, -40f};
    System.arraycopy(special, 0, xs, n, special.length);
    float[] ys = new float[xs.length];
    float[] ds = new float[xs.length];
    Activations.geluBlock(xs, ys, ds, xs.length);
    for (int i = 0; i < xs.length; i++) {
      double v = xs[i];
      double cdf = Activations.normalCdf(v);
      float y = (float) (v * cdf);
      float d = (float) (cdf + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI));
      assertEquals(y, ys[i], Math.ulp(y), "gelu(" + v + ")");
      assertEquals(d, ds[i], Math.ulp(d), "gelu'(" + v + ")");
    }
  }

  @Test
  void geluGradients() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    for (int i = 0; i < x.size(); i++) {
      x.set(i, 3 * x.get(i)); // [-3, 3): both the series and the erfc branch of erf
    }
    GradCheck.check("gelu (2,3,5)", (g, v) -> Activations.gelu(g, v[0]), x);
    GradCheck.check("gelu(x) * x", (g, v) -> Elementwise.mul(g, Activations.gelu(g, v[0]), v[0]), x);
    GradCheck.check("gelu scalar", (g, v) -> Activations.gelu(g, v[0]), Tensor.scalar(0.7f));
  }

  @Test
  void geluDerivativeHandValue() {
    // d/dx x Phi(x) at 1: Phi(1) + phi(1) = 0.8413447460685429 + 0.24197072451914337
    Graph g = Graph.training();
    Variable x = Variable.leaf(Tensor.scalar(1f));
    g.backward(Activations.gelu(g, x));
    assertEquals(1.0833154705876864, x.grad().get(0), 2e-7);
  }

  @Test
  void reluForwardAndGradients() {
    Tensor x = Tensor.zeros(2, 3, 5);
    for (int i = 0; i < x.size(); i++) {
      // magnitudes in [0.1, 1], so x +- GradCheck.H never crosses the kink at 0
      float magnitude = 0.1f + 0.9f * rnd.nextFloat();
      x.set(i, i % 3 == 0 ? -magnitude : magnitude);
    }
    Tensor y = Activations.relu(Graph.inference(), Variable.constant(x)).value();
    for (int i = 0; i < x.size(); i++) {
      assertEquals(Math.max(0f, x.get(i)), y.get(i), 0f);
    }
    GradCheck.check("relu (2,3,5)", (g, v) -> Activations.relu(g, v[0]), x);
    GradCheck.check("relu(x) * x", (g, v) -> Elementwise.mul(g, Activations.relu(g, v[0]), v[0]), x);
  }

  @Test
  void reluGradientAtKinkIsZero() {
    Graph g = Graph.training();
    Variable x = Variable.leaf(Tensor.of(new float[] {0f, -0f, 2f}, 3));
    g.backward(Reductions.sum(g, Activations.relu(g, x)));
    assertEquals(0f, x.grad().get(0), 0f);
    assertEquals(0f, x.grad().get(1), 0f);
    assertEquals(1f, x.grad().get(2), 0f);
  }

  @Test
  void emptyInputsGiveEmptyOutputs() {
    Graph g = Graph.inference();
    assertTrue(Activations.gelu(g, Variable.constant(Tensor.zeros(0, 4))).value().hasShape(0, 4));
    assertTrue(Activations.relu(g, Variable.constant(Tensor.zeros(3, 0))).value().hasShape(3, 0));
  }
}
