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

  /** The fused linear against its unfused composition (the oracle): same output, same three gradients. */
  @Test
  void fusedLinearMatchesUnfused() {
    Tensor x = GradCheck.random(rnd, 3, 7, 6);
    Tensor w = GradCheck.random(rnd, 5, 6);
    Tensor b = GradCheck.random(rnd, 5);
    Tensor r = GradCheck.random(rnd, 3, 7, 5);
    Tensor[][] results = new Tensor[2][];
    for (int pass = 0; pass < 2; pass++) {
      Graph g = Graph.training();
      Variable xv = Variable.leaf(x);
      Variable wv = Variable.leaf(w);
      Variable bv = Variable.leaf(b);
      Variable y = pass == 0 ? MatMul.linear(g, xv, wv, bv) : MatMul.linearUnfused(g, xv, wv, bv);
      g.backward(Reductions.sum(g, Elementwise.mul(g, y, Variable.constant(r))));
      results[pass] = new Tensor[] {y.value(), xv.grad(), wv.grad(), bv.grad()};
    }
    String[] names = {"out", "dx", "dw", "dbias"};
    for (int i = 0; i < names.length; i++) {
      assertTrue(results[0][i].sameShape(results[1][i]), names[i]);
      for (int j = 0; j < results[0][i].size(); j++) {
        // same products, summed in another order by BLAS: a few float32 roundings of O(1) sums
        assertEquals(results[1][i].get(j), results[0][i].get(j), 1e-5, names[i] + "[" + j + "]");
      }
    }
  }

  @Test
  void linearGradientsAccumulateAndFallBackForOtherShapes() {
    // x used twice: the fused op must add to dx, not overwrite it
    GradCheck.check("linear(x) + x@v", (g, v) -> Elementwise.add(g, MatMul.linear(g, v[0], v[1], v[2]),
        MatMul.matmul(g, v[0], v[3], false, true)),
        GradCheck.random(rnd, 4, 3), GradCheck.random(rnd, 2, 3), GradCheck.random(rnd, 2),
        GradCheck.random(rnd, 2, 3));
    // a bias of shape (T, OUT) is not the fused case; the unfused path broadcasts it
    GradCheck.check("linear, (T, OUT) bias", (g, v) -> MatMul.linear(g, v[0], v[1], v[2]),
        GradCheck.random(rnd, 2, 3, 4), GradCheck.random(rnd, 5, 4), GradCheck.random(rnd, 3, 5));
  }

  /**
   * Weight gradients over enough rows to take the transposed path of {@code weightGradient}, for the fused linear
   * (OUT &lt; IN and OUT &gt;= IN) and for a tied weight used as {@code matmul(x, w, false, true)}, against the sum
   * {@code dw = dout^T x} in double. The gradients accumulate onto what the buffer held. A float sum of N products
   * is within {@code N u sum |products|} of the exact one (u = 6e-8, the unit roundoff).
   */
  @Test
  void weightGradientsOverManyRows() {
    int n = MatMul.TRANSPOSED_GRADIENT_ROWS + 37;
    for (int[] shape : new int[][] {{5, 8}, {12, 8}, {8, 8}}) {
      int out = shape[0];
      int in = shape[1];
      for (boolean viaMatmul : new boolean[] {false, true}) {
        Tensor x = GradCheck.random(rnd, n, in);
        Tensor start = Tensor.zeros(out, in).fillInPlace(0.5f); // the gradient accumulates onto this
        Variable w = Variable.leaf(GradCheck.random(rnd, out, in), start);
        Variable b = Variable.leaf(GradCheck.random(rnd, out));
        Tensor dout = GradCheck.random(rnd, n, out);
        Graph g = Graph.training();
        Variable y = viaMatmul ? MatMul.matmul(g, Variable.constant(x), w, false, true)
            : MatMul.linear(g, Variable.constant(x), w, b);
        g.backward(Reductions.sum(g, Elementwise.mul(g, y, Variable.constant(dout)))); // d loss / d y = dout
        for (int o = 0; o < out; o++) {
          for (int i = 0; i < in; i++) {
            double sum = 0.5;
            double abs = 0.5;
            for (int r = 0; r < n; r++) {
              double p = (double) dout.get(r * out + o) * x.get(r * in + i);
              sum += p;
              abs += Math.abs(p);
            }
            assertEquals(sum, w.grad().get(o * in + i), (n + 1) * 6e-8 * abs,
                "dw[" + o + "][" + i + "] for out " + out + ", in " + in + (viaMatmul ? " (matmul)" : " (linear)"));
          }
        }
      }
    }
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
