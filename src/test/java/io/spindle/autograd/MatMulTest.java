package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatMulTest {
  private final Random rnd = new Random(1);

  /** Plain triple loop in double: the reference for the BLAS result. */
  private static double[] reference(Tensor a, Tensor b, boolean ta, boolean tb, int m, int n, int k) {
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = ta ? a.get(p * m + i) : a.get(i * k + p);
          double bv = tb ? b.get(j * k + p) : b.get(p * n + j);
          s += av * bv;
        }
        c[i * n + j] = s;
      }
    }
    return c;
  }

  @Test
  void forwardMatchesTripleLoopForAllTransposes() {
    int m = 5;
    int n = 7;
    int k = 3;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Tensor a = GradCheck.random(rnd, ta ? k : m, ta ? m : k);
        Tensor b = GradCheck.random(rnd, tb ? n : k, tb ? k : n);
        Tensor c = MatMul.matmul(Graph.inference(), Variable.constant(a), Variable.constant(b), ta, tb).value();
        assertTrue(c.hasShape(m, n));
        double[] ref = reference(a, b, ta, tb, m, n, k);
        for (int i = 0; i < ref.length; i++) {
          assertEquals(ref[i], c.get(i), 1e-5, "ta=" + ta + " tb=" + tb + " at " + i);
        }
      }
    }
  }

  @Test
  void gradientsAllTransposes() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Tensor a = GradCheck.random(rnd, ta ? 3 : 4, ta ? 4 : 3);
        Tensor b = GradCheck.random(rnd, tb ? 5 : 3, tb ? 3 : 5);
        GradCheck.check("matmul ta=" + ta + " tb=" + tb,
            (g, v) -> MatMul.matmul(g, v[0], v[1], ta, tb), a, b);
      }
    }
  }

  @Test
  void gradientsBatchedAndSharedOperands() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        // both batched (2, 3, ...)
        GradCheck.check("batched ta=" + ta + " tb=" + tb, (g, v) -> MatMul.matmul(g, v[0], v[1], ta, tb),
            GradCheck.random(rnd, 2, 3, ta ? 4 : 5, ta ? 5 : 4), GradCheck.random(rnd, 2, 3, tb ? 6 : 4, tb ? 4 : 6));
        // batched A, shared B (a weight)
        GradCheck.check("shared B ta=" + ta + " tb=" + tb, (g, v) -> MatMul.matmul(g, v[0], v[1], ta, tb),
            GradCheck.random(rnd, 2, 3, ta ? 4 : 5, ta ? 5 : 4), GradCheck.random(rnd, tb ? 6 : 4, tb ? 4 : 6));
        // shared A, batched B
        GradCheck.check("shared A ta=" + ta + " tb=" + tb, (g, v) -> MatMul.matmul(g, v[0], v[1], ta, tb),
            GradCheck.random(rnd, ta ? 4 : 5, ta ? 5 : 4), GradCheck.random(rnd, 2, tb ? 6 : 4, tb ? 4 : 6));
      }
    }
  }

  @Test
  void linearWithBias() {
    GradCheck.check("linear", (g, v) -> MatMul.linear(g, v[0], v[1], v[2]),
        GradCheck.random(rnd, 2, 3, 4), GradCheck.random(rnd, 5, 4), GradCheck.random(rnd, 5));
  }

  @Test
  void shapeMismatchNamesOpAndShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MatMul.matmul(Graph.inference(), Variable.constant(Tensor.zeros(2, 3)),
            Variable.constant(Tensor.zeros(4, 5))));
    assertTrue(e.getMessage().contains("matmul"), e.getMessage());
    assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(4, 5)"), e.getMessage());
  }
}
