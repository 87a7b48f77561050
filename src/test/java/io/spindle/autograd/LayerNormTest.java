package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerNormTest {
  private static final float EPS = 1e-5f;
  private final Random rnd = new Random(3);

  private static Variable c(Tensor t) {
    return Variable.constant(t);
  }

  /** Row-wise layer norm in double: the forward reference. */
  private static double[] reference(Tensor x, Tensor w, Tensor b, double eps) {
    int cdim = x.dim(-1);
    double[] out = new double[x.size()];
    for (int base = 0; base < x.size(); base += cdim) {
      double m = 0;
      for (int i = 0; i < cdim; i++) {
        m += x.get(base + i);
      }
      m /= cdim;
      double var = 0;
      for (int i = 0; i < cdim; i++) {
        var += (x.get(base + i) - m) * (x.get(base + i) - m);
      }
      var /= cdim;
      for (int i = 0; i < cdim; i++) {
        double xhat = (x.get(base + i) - m) / Math.sqrt(var + eps);
        out[base + i] = xhat * (w == null ? 1 : w.get(i)) + (b == null ? 0 : b.get(i));
      }
    }
    return out;
  }

  @Test
  void forwardMatchesDoubleReference() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    Tensor w = GradCheck.random(rnd, 5);
    Tensor b = GradCheck.random(rnd, 5);
    Graph g = Graph.inference();
    Tensor[][] cases = {{w, b}, {w, null}, {null, null}};
    for (Tensor[] wb : cases) {
      Tensor out = LayerNorm.layerNorm(g, c(x), wb[0] == null ? null : c(wb[0]), wb[1] == null ? null : c(wb[1]),
          EPS).value();
      assertTrue(out.hasShape(2, 3, 5));
      double[] ref = reference(x, wb[0], wb[1], EPS);
      for (int i = 0; i < ref.length; i++) {
        assertEquals(ref[i], out.get(i), 1e-5, "element " + i);
      }
    }
  }

  @Test
  void handComputedRow() {
    // x = (1, 2, 3, 4): mean 2.5, biased variance 1.25, so xhat = (x - 2.5) / sqrt(1.25)
    Tensor out = LayerNorm.layerNorm(Graph.inference(), c(Tensor.of(new float[] {1, 2, 3, 4}, 4)), null, null, 0f)
        .value();
    double[] expected = {-1.3416407864998738, -0.4472135954999579, 0.4472135954999579, 1.3416407864998738};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], out.get(i), 1e-6);
    }
    // a constant row normalises to 0, leaving the bias; eps keeps it finite
    Tensor bias = Tensor.of(new float[] {0.5f, -1f, 2f}, 3);
    Tensor flat = LayerNorm.layerNorm(Graph.inference(), c(Tensor.of(new float[] {3, 3, 3}, 3)),
        c(Tensor.of(new float[] {7, 7, 7}, 3)), c(bias), EPS).value();
    for (int i = 0; i < 3; i++) {
      assertEquals(bias.get(i), flat.get(i), 0f);
    }
  }

  @Test
  void gradientsWithLeadingDimensions() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    Tensor w = GradCheck.random(rnd, 5);
    Tensor b = GradCheck.random(rnd, 5);
    GradCheck.check("layerNorm (2,3,5)", (g, v) -> LayerNorm.layerNorm(g, v[0], v[1], v[2], EPS), x, w, b);
    GradCheck.check("layerNorm no bias", (g, v) -> LayerNorm.layerNorm(g, v[0], v[1], null, EPS), x, w);
    GradCheck.check("layerNorm no affine", (g, v) -> LayerNorm.layerNorm(g, v[0], null, null, EPS), x);
    GradCheck.check("layerNorm (7,)", (g, v) -> LayerNorm.layerNorm(g, v[0], v[1], v[2], EPS),
        GradCheck.random(rnd, 7), GradCheck.random(rnd, 7), GradCheck.random(rnd, 7));
  }

  @Test
  void inputUsedTwice() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    Tensor w = GradCheck.random(rnd, 5);
    // the residual pattern x + ln(x)
    GradCheck.check("x + layerNorm(x)",
        (g, v) -> Elementwise.add(g, v[0], LayerNorm.layerNorm(g, v[0], v[1], null, EPS)), x, w);
    // one (C) variable as both the input row and the weight: both gradients land in one buffer
    GradCheck.check("layerNorm(x, weight = x)", (g, v) -> LayerNorm.layerNorm(g, v[0], v[0], null, EPS),
        GradCheck.random(rnd, 6));
  }

  /**
   * The output is invariant to shifting a row and (with eps = 0) to scaling it, so the input gradient of each row
   * sums to 0 and is orthogonal to xhat: a check of the dx formula independent of finite differences.
   */
  @Test
  void inputGradientRespectsShiftAndScaleInvariance() {
    Tensor x = GradCheck.random(rnd, 4, 8);
    Tensor w = GradCheck.random(rnd, 8);
    Tensor r = GradCheck.random(rnd, 4, 8);
    Graph g = Graph.training();
    Variable xv = Variable.leaf(x);
    Variable out = LayerNorm.layerNorm(g, xv, c(w), null, 0f);
    g.backward(Reductions.sum(g, Elementwise.mul(g, out, c(r))));
    double[] xhat = reference(x, null, null, 0);
    for (int row = 0; row < 4; row++) {
      double sum = 0;
      double dot = 0;
      double norm = 0;
      for (int i = 0; i < 8; i++) {
        double d = xv.grad().get(row * 8 + i);
        sum += d;
        dot += d * xhat[row * 8 + i];
        norm += Math.abs(d);
      }
      assertTrue(norm > 0.1, "gradient should not vanish");
      assertEquals(0, sum, 1e-5, "row " + row + " sum");
      assertEquals(0, dot, 1e-5, "row " + row + " dot xhat");
    }
  }

  @Test
  void constantInputsRecordNothing() {
    Graph g = Graph.training();
    Variable out = LayerNorm.layerNorm(g, c(GradCheck.random(rnd, 3, 4)), null, null, EPS);
    assertEquals(0, g.size());
    assertFalse(out.requiresGrad());
  }

  @Test
  void badInputsNameOpAndShapes() {
    Graph g = Graph.inference();
    Variable x = c(Tensor.zeros(2, 3, 5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LayerNorm.layerNorm(g, x, c(Tensor.zeros(4)), null, EPS));
    assertTrue(e.getMessage().startsWith("layerNorm: shape mismatch (2, 3, 5) vs (4,)"), e.getMessage());
    assertTrue(e.getMessage().contains("weight"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> LayerNorm.layerNorm(g, x, c(Tensor.zeros(5)), c(Tensor.zeros(1, 5)), EPS));
    assertTrue(e.getMessage().startsWith("layerNorm: shape mismatch (2, 3, 5) vs (1, 5)"), e.getMessage());
    assertTrue(e.getMessage().contains("bias"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> LayerNorm.layerNorm(g, c(Tensor.scalar(1f)), null, null, EPS));
    assertTrue(e.getMessage().startsWith("layerNorm:"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LayerNorm.layerNorm(g, x, null, null, -1e-5f));
    assertTrue(e.getMessage().startsWith("layerNorm: eps"), e.getMessage());
  }
}
