package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrossEntropyTest {
  private static final int IGNORE = CrossEntropy.DEFAULT_IGNORE_INDEX;
  private final Random rnd = new Random(6);

  private static Variable c(Tensor t) {
    return Variable.constant(t);
  }

  /** Per-row weight of the reference: 0 for ignored rows. */
  private static double rowWeight(int[] t, float[] w, int ignore, int row) {
    return t[row] == ignore ? 0 : w == null ? 1 : w[row];
  }

  private static double denominator(int[] t, float[] w, int ignore, Reduction reduction) {
    if (reduction == Reduction.SUM) {
      return 1;
    }
    double sum = 0;
    for (int r = 0; r < t.length; r++) {
      sum += rowWeight(t, w, ignore, r);
    }
    return sum;
  }

  /** The loss in double from the definition: -sum_j q_j log softmax(x)_j per row, weighted and reduced. */
  private static double referenceLoss(Tensor x, int[] t, float[] w, int ignore, double eps, Reduction reduction) {
    int v = x.dim(-1);
    double total = 0;
    for (int r = 0; r < t.length; r++) {
      double wr = rowWeight(t, w, ignore, r);
      if (wr == 0) {
        continue;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        max = Math.max(max, x.get(r * v + j));
      }
      double sum = 0;
      for (int j = 0; j < v; j++) {
        sum += Math.exp(x.get(r * v + j) - max);
      }
      double lse = max + Math.log(sum);
      double loss = 0;
      for (int j = 0; j < v; j++) {
        double q = (j == t[r] ? 1 - eps : 0) + eps / v;
        loss -= q * (x.get(r * v + j) - lse);
      }
      total += wr * loss;
    }
    double d = denominator(t, w, ignore, reduction);
    return d == 0 ? 0 : total / d;
  }

  /**
   * The unfused path: {@link Softmax#logSoftmax}, then the pick (and smoothing) as a product with a constant
   * coefficient matrix {@code -w_i q_ij / denominator}, then a sum; differentiated by the generic ops.
   */
  private static Variable unfused(Graph g, Variable logits, int[] t, float[] w, int ignore, double eps,
      Reduction reduction) {
    int v = logits.value().dim(-1);
    double d = denominator(t, w, ignore, reduction);
    Tensor coef = Tensor.zeros(logits.shape()); // (..., V)
    for (int r = 0; r < t.length; r++) {
      double wr = rowWeight(t, w, ignore, r);
      for (int j = 0; wr != 0 && d != 0 && j < v; j++) {
        double q = (j == t[r] ? 1 - eps : 0) + eps / v;
        coef.set(r * v + j, (float) (-wr * q / d));
      }
    }
    return Reductions.sum(g, Elementwise.mul(g, Softmax.logSoftmax(g, logits), c(coef)));
  }

  private static Tensor scaled(Tensor t, float s) {
    for (int i = 0; i < t.size(); i++) {
      t.set(i, s * t.get(i));
    }
    return t;
  }

  @Test
  void handComputedValuesAndGradients() {
    // logits (1, 2, 3), target 0: loss = log(e + e^2 + e^3) - 1; gradient = softmax - onehot
    Graph g = Graph.training();
    Variable x = Variable.leaf(Tensor.of(new float[] {1, 2, 3}, 1, 3));
    Variable loss = CrossEntropy.crossEntropy(g, x, new int[] {0});
    assertTrue(loss.value().hasShape());
    assertEquals(2.40760596444438, loss.value().get(0), 1e-6);
    g.backward(loss);
    double[] p = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219};
    assertEquals(p[0] - 1, x.grad().get(0), 1e-6);
    assertEquals(p[1], x.grad().get(1), 1e-6);
    assertEquals(p[2], x.grad().get(2), 1e-6);

    // label smoothing 0.1: loss = lse - 0.9 * x_t - 0.1 * mean(x); gradient = softmax - (0.9 onehot + 0.1 / 3)
    g = Graph.training();
    x = Variable.leaf(Tensor.of(new float[] {1, 2, 3}, 1, 3));
    loss = CrossEntropy.crossEntropy(g, x, new int[] {0}, null, IGNORE, 0.1f, Reduction.MEAN);
    assertEquals(2.30760596444438, loss.value().get(0), 1e-6);
    g.backward(loss);
    assertEquals(p[0] - 0.9 - 0.1 / 3, x.grad().get(0), 1e-6);
    assertEquals(p[1] - 0.1 / 3, x.grad().get(1), 1e-6);

    // uniform logits: log V
    assertEquals(Math.log(4), CrossEntropy.crossEntropy(Graph.inference(), c(Tensor.zeros(1, 4)), new int[] {2})
        .value().get(0), 1e-6);

    // two weighted rows: SUM = 2 * 2.4076... + 0.5 * log 3, MEAN divides by 2.5
    Tensor two = Tensor.of(new float[] {1, 2, 3, 0, 0, 0}, 2, 3);
    float[] w = {2f, 0.5f};
    double sum = 2 * 2.40760596444438 + 0.5 * Math.log(3);
    assertEquals(sum, CrossEntropy.crossEntropy(Graph.inference(), c(two), new int[] {0, 2}, w, IGNORE, 0f,
        Reduction.SUM).value().get(0), 1e-5);
    assertEquals(sum / 2.5, CrossEntropy.crossEntropy(Graph.inference(), c(two), new int[] {0, 2}, w, IGNORE, 0f,
        Reduction.MEAN).value().get(0), 1e-6);
  }

  @Test
  void matchesUnfusedOracle() {
    Tensor x = scaled(GradCheck.random(rnd, 2, 3, 5), 3f);
    int[] t = {4, 0, IGNORE, 2, 1, 3};
    float[] w = {1f, 0.25f, 3f, 0f, 2f, 1.5f}; // row 2 ignored despite its weight, row 3 weighted 0
    for (Reduction reduction : Reduction.values()) {
      for (float eps : new float[] {0f, 0.1f}) {
        for (float[] weights : new float[][] {null, w}) {
          String what = reduction + " eps=" + eps + (weights == null ? "" : " weighted");
          Graph g = Graph.training();
          Variable fusedX = Variable.leaf(x.copy());
          Variable fused = CrossEntropy.crossEntropy(g, fusedX, t, weights, IGNORE, eps, reduction);
          assertEquals(referenceLoss(x, t, weights, IGNORE, eps, reduction), fused.value().get(0), 1e-5, what);
          g.backward(fused);

          Graph g2 = Graph.training();
          Variable oracleX = Variable.leaf(x.copy());
          Variable oracle = unfused(g2, oracleX, t, weights, IGNORE, eps, reduction);
          assertEquals(oracle.value().get(0), fused.value().get(0), 1e-5, what);
          g2.backward(oracle);
          for (int i = 0; i < x.size(); i++) {
            assertEquals(oracleX.grad().get(i), fusedX.grad().get(i), 1e-6, what + " gradient " + i);
          }
          int end = weights == null ? 3 * 5 : 4 * 5; // row 2 is ignored; row 3 has weight 0 when weighted
          for (int i = 2 * 5; i < end; i++) {
            assertEquals(0f, fusedX.grad().get(i), 0f, what + ": ignored and 0-weight rows get no gradient");
          }
        }
      }
    }
  }

  @Test
  void gradients() {
    Tensor x = scaled(GradCheck.random(rnd, 2, 3, 5), 2f);
    int[] t = {1, IGNORE, 4, 0, 2, 3};
    float[] w = {1f, 1f, 0.5f, 2f, 0f, 1f};
    for (Reduction reduction : Reduction.values()) {
      GradCheck.check("crossEntropy " + reduction,
          (g, v) -> CrossEntropy.crossEntropy(g, v[0], t, w, IGNORE, 0.1f, reduction), x);
    }
    GradCheck.check("crossEntropy default", (g, v) -> CrossEntropy.crossEntropy(g, v[0], new int[] {3, 0, 6, 2}),
        GradCheck.random(rnd, 4, 7));
    GradCheck.check("crossEntropy (V,) logits", (g, v) -> CrossEntropy.crossEntropy(g, v[0], new int[] {2}),
        GradCheck.random(rnd, 5));
  }

  @Test
  void logitsUsedTwice() {
    Tensor x = GradCheck.random(rnd, 3, 4);
    GradCheck.check("ce(x, t1) + ce(x, t2)", (g, v) -> Elementwise.add(g,
        CrossEntropy.crossEntropy(g, v[0], new int[] {0, 1, 2}),
        CrossEntropy.crossEntropy(g, v[0], new int[] {3, 3, 0}, null, IGNORE, 0.2f, Reduction.SUM)), x);
  }

  @Test
  void zeroTotalWeightGivesZeroLossAndGradient() {
    Tensor x = GradCheck.random(rnd, 3, 4);
    Object[][] cases = {
        {new int[] {0, 1, 2}, new float[] {0f, 0f, 0f}, Reduction.MEAN},
        {new int[] {IGNORE, IGNORE, IGNORE}, null, Reduction.MEAN},
        {new int[] {IGNORE, 1, IGNORE}, new float[] {1f, 0f, 1f}, Reduction.SUM},
    };
    for (Object[] k : cases) {
      Graph g = Graph.training();
      Variable xv = Variable.leaf(x.copy());
      Variable loss = CrossEntropy.crossEntropy(g, xv, (int[]) k[0], (float[]) k[1], IGNORE, 0.1f,
          (Reduction) k[2]);
      assertEquals(0f, loss.value().get(0), 0f);
      g.backward(loss);
      for (int i = 0; i < x.size(); i++) {
        assertEquals(0f, xv.grad() == null ? 0f : xv.grad().get(i), 0f);
      }
    }
  }

  @Test
  void sumIsMeanTimesTotalWeight() {
    Tensor x = GradCheck.random(rnd, 5, 6);
    int[] t = {0, 5, IGNORE, 3, 3};
    float[] w = {1f, 2f, 7f, 0.5f, 1f};
    Graph g = Graph.inference();
    float sum = CrossEntropy.crossEntropy(g, c(x), t, w, IGNORE, 0f, Reduction.SUM).value().get(0);
    float mean = CrossEntropy.crossEntropy(g, c(x), t, w, IGNORE, 0f, Reduction.MEAN).value().get(0);
    assertEquals(sum, mean * 4.5f, 1e-5);
  }

  @Test
  void ignoreIndexMayBeAnyValue() {
    Tensor x = GradCheck.random(rnd, 3, 4);
    Graph g = Graph.inference();
    // nanoGPT's -1, and a valid class used as the ignore marker
    float a = CrossEntropy.crossEntropy(g, c(x), new int[] {-1, 2, 1}, null, -1, 0f, Reduction.MEAN).value().get(0);
    float b = CrossEntropy.crossEntropy(g, c(x), new int[] {0, 2, 1}, null, 0, 0f, Reduction.MEAN).value().get(0);
    assertEquals(referenceLoss(x, new int[] {-1, 2, 1}, null, -1, 0, Reduction.MEAN), a, 1e-6);
    assertEquals(a, b, 0f);
  }

  @Test
  void extremeAndMaskedLogitsStayFinite() {
    Graph g = Graph.training();
    Variable x = Variable.leaf(Tensor.of(new float[] {1000f, -1000f, 0f, Float.NEGATIVE_INFINITY, 0f, 0f}, 2, 3));
    Variable loss = CrossEntropy.crossEntropy(g, x, new int[] {1, 1}, null, IGNORE, 0f, Reduction.SUM);
    // row 0: lse = 1000, loss = 1000 - (-1000); row 1: a masked class, loss = log 2
    assertEquals(2000 + Math.log(2), loss.value().get(0), 1e-3);
    g.backward(loss);
    float[] expected = {1, -1, 0, 0, -0.5f, 0.5f};
    for (int i = 0; i < 6; i++) {
      assertEquals(expected[i], x.grad().get(i), 1e-6, "gradient " + i);
    }
  }

  @Test
  void badInputsNameOpRowAndValue() {
    Graph g = Graph.inference();
    Variable x = c(Tensor.zeros(2, 3, 5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CrossEntropy.crossEntropy(g, x, new int[] {0, 1, 2, 7, 0, 0}));
    assertTrue(e.getMessage().startsWith("crossEntropy: target 7 at row 3 is outside [0, 5)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> CrossEntropy.crossEntropy(g, x, new int[] {0, -1, 2, 1, 0, 0}));
    assertTrue(e.getMessage().startsWith("crossEntropy: target -1 at row 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.crossEntropy(g, x, new int[] {0, 1}));
    assertEquals("crossEntropy: targets of length 2 for logits (2, 3, 5), which hold 6 rows", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.crossEntropy(g, x, new int[6],
        new float[5], IGNORE, 0f, Reduction.SUM));
    assertEquals("crossEntropy: weights of length 5 for logits (2, 3, 5), which hold 6 rows", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.crossEntropy(g, x, new int[6],
        new float[] {1, 1, 1, 1, -2, 1}, IGNORE, 0f, Reduction.SUM));
    assertTrue(e.getMessage().startsWith("crossEntropy: weight -2.0 at row 4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.crossEntropy(g, x, new int[6], null,
        IGNORE, 1.5f, Reduction.MEAN));
    assertTrue(e.getMessage().startsWith("crossEntropy: labelSmoothing"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.crossEntropy(g, x, new int[6], null,
        IGNORE, 0f, null));
    assertTrue(e.getMessage().startsWith("crossEntropy: reduction"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> CrossEntropy.crossEntropy(g, c(Tensor.scalar(1f)), new int[] {0}));
    assertTrue(e.getMessage().startsWith("crossEntropy: input needs at least 1 dimension"), e.getMessage());
  }
}
