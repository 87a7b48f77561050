package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ElementwiseTest {
  private final Random rnd = new Random(2);

  @Test
  void sameShapeGradients() {
    Tensor a = GradCheck.random(rnd, 3, 4);
    Tensor b = GradCheck.random(rnd, 3, 4);
    GradCheck.check("add", (g, v) -> Elementwise.add(g, v[0], v[1]), a, b);
    GradCheck.check("sub", (g, v) -> Elementwise.sub(g, v[0], v[1]), a, b);
    GradCheck.check("mul", (g, v) -> Elementwise.mul(g, v[0], v[1]), a, b);
    GradCheck.check("scale", (g, v) -> Elementwise.scale(g, v[0], -2.5f), a);
    GradCheck.check("exp", (g, v) -> Elementwise.exp(g, v[0]), a);
    GradCheck.check("exp of a value used twice", (g, v) -> Elementwise.exp(g, Elementwise.add(g, v[0], v[0])), a);
  }

  @Test
  void broadcastGradientsEitherSide() {
    Tensor big = GradCheck.random(rnd, 2, 3, 4);
    Tensor row = GradCheck.random(rnd, 4);
    Tensor mat = GradCheck.random(rnd, 3, 4);
    GradCheck.check("add (B,T,C)+(C)", (g, v) -> Elementwise.add(g, v[0], v[1]), big, row);
    GradCheck.check("add (T,C)+(B,T,C)", (g, v) -> Elementwise.add(g, v[0], v[1]), mat, big);
    GradCheck.check("sub (C)-(B,T,C)", (g, v) -> Elementwise.sub(g, v[0], v[1]), row, big);
    GradCheck.check("mul (B,T,C)*(T,C)", (g, v) -> Elementwise.mul(g, v[0], v[1]), big, mat);
    GradCheck.check("mul (C)*(B,T,C)", (g, v) -> Elementwise.mul(g, v[0], v[1]), row, big);
  }

  /** Values and gradients of rows longer than a scratch block, against element-by-element loops. */
  @Test
  void longRowsMatchElementLoops() {
    int n = 2 * 2048 + 77; // kernels work in blocks of 2048: a partial last block
    Tensor big = GradCheck.random(rnd, 3, n);
    Tensor row = GradCheck.random(rnd, n);
    Tensor r = GradCheck.random(rnd, 3, n);
    for (int op = 0; op < 3; op++) {
      Graph g = Graph.training();
      Variable a = Variable.leaf(big);
      Variable b = Variable.leaf(row);
      Variable y = op == 0 ? Elementwise.add(g, a, b) : op == 1 ? Elementwise.sub(g, a, b) : Elementwise.mul(g, a, b);
      g.backward(Reductions.sum(g, Elementwise.mul(g, y, Variable.constant(r))));
      double[] dRow = new double[n];
      for (int i = 0; i < 3 * n; i++) {
        float x = big.get(i);
        float z = row.get(i % n);
        float expected = op == 0 ? x + z : op == 1 ? x - z : x * z;
        assertEquals(expected, y.value().get(i), 0f, "op " + op + " out[" + i + "]");
        float da = op == 2 ? r.get(i) * z : r.get(i);
        assertEquals(da, a.grad().get(i), 1e-7, "op " + op + " da[" + i + "]");
        dRow[i % n] += op == 0 ? r.get(i) : op == 1 ? -r.get(i) : r.get(i) * x;
      }
      for (int j = 0; j < n; j++) {
        assertEquals(dRow[j], b.grad().get(j), 1e-6, "op " + op + " db[" + j + "]");
      }
    }
  }

  @Test
  void tensorUsedTwiceAccumulatesBothContributions() {
    Tensor a = GradCheck.random(rnd, 3, 4);
    // x*x + x: d/dx = 2x + 1, reached through three uses of the same leaf
    GradCheck.check("x*x+x", (g, v) -> Elementwise.add(g, Elementwise.mul(g, v[0], v[0]), v[0]), a);
    Graph g = Graph.training();
    Variable x = Variable.leaf(a);
    g.backward(Reductions.sum(g, Elementwise.add(g, Elementwise.mul(g, x, x), x)));
    for (int i = 0; i < a.size(); i++) {
      assertEquals(2 * a.get(i) + 1, x.grad().get(i), 1e-6);
    }
  }

  @Test
  void reductions() {
    Tensor a = GradCheck.random(rnd, 2, 5);
    GradCheck.check("sum", (g, v) -> Reductions.sum(g, v[0]), a);
    GradCheck.check("mean", (g, v) -> Reductions.mean(g, v[0]), a);
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += a.get(i);
    }
    assertEquals(s / 10, Reductions.mean(Graph.inference(), Variable.constant(a)).value().get(0), 1e-6);
  }

  @Test
  void leafGradientsAccumulateAcrossBackwardPasses() {
    Tensor a = GradCheck.random(rnd, 4);
    Variable x = Variable.leaf(a);
    Graph g = Graph.training();
    for (int pass = 0; pass < 3; pass++) {
      g.backward(Reductions.sum(g, Elementwise.scale(g, x, 2f)));
      g.reset();
    }
    for (int i = 0; i < 4; i++) {
      assertEquals(6f, x.grad().get(i), 0f);
    }
  }

  @Test
  void mismatchNamesOpAndShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Elementwise.add(Graph.inference(), Variable.constant(Tensor.zeros(2, 3)),
            Variable.constant(Tensor.zeros(2))));
    assertTrue(e.getMessage().startsWith("add: shape mismatch (2, 3) vs (2,)"), e.getMessage());
  }
}
