package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.tensor.Parallel;
import io.spindle.tensor.Tensor;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ops that split work over {@link Parallel} op threads give the results of the single-threaded run: bit for bit
 * where every element is computed by the same code either way, and within float rounding where a sum over rows is
 * cut into per-thread partial sums (LayerNorm's weight and bias gradients). Shapes are large enough to be split.
 */
class ParallelOpsTest {
  private final Random rnd = new Random(21);
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  /** {output, gradient of each input} for L = sum(out * r), with {@code threads} op threads. */
  private static Tensor[] run(int threads, Tensor r, BiFunction<Graph, Variable[], Variable> f, Tensor... inputs) {
    Parallel.setThreads(threads);
    Graph g = Graph.training();
    Variable[] leaves = new Variable[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      leaves[i] = Variable.leaf(inputs[i].copy());
    }
    Variable out = f.apply(g, leaves);
    g.backward(Reductions.sum(g, Elementwise.mul(g, out, Variable.constant(r))));
    Tensor[] results = new Tensor[inputs.length + 1];
    results[0] = out.value();
    for (int i = 0; i < inputs.length; i++) {
      results[i + 1] = leaves[i].grad();
    }
    return results;
  }

  private void assertSame(String name, double tolerance, int exactBefore, BiFunction<Graph, Variable[], Variable> f,
      Tensor r, Tensor... inputs) {
    Tensor[] serial = run(1, r, f, inputs);
    Tensor[] parallel = run(2, r, f, inputs);
    for (int i = 0; i < serial.length; i++) {
      if (tolerance == 0 || i < exactBefore) { // results before exactBefore must match bit for bit
        assertArrayEquals(serial[i].toArray(), parallel[i].toArray(), 0f, name + " result " + i);
      } else {
        for (int j = 0; j < serial[i].size(); j++) {
          assertEquals(serial[i].get(j), parallel[i].get(j), tolerance * Math.max(1, Math.abs(serial[i].get(j))),
              name + " result " + i + "[" + j + "]");
        }
      }
    }
  }

  @Test
  void geluSplitsElementwise() {
    Tensor x = GradCheck.random(rnd, 3, 40_000);
    assertSame("gelu", 0, 0, (g, v) -> Activations.gelu(g, v[0]), GradCheck.random(rnd, 3, 40_000), x);
  }

  @Test
  void layerNormSplitsRows() {
    int rows = 700;
    int c = 48;
    // out and dx are per row (bit for bit); dweight and dbias are float32 sums of 700 O(1) terms, taken in
    // per-thread parts: either order carries rounding up to about 700 * 6e-8 * |term| ~ 1e-4
    assertSame("layerNorm", 1e-4, 2, (g, v) -> LayerNorm.layerNorm(g, v[0], v[1], v[2], 1e-5f),
        GradCheck.random(rnd, rows, c), GradCheck.random(rnd, rows, c), GradCheck.random(rnd, c),
        GradCheck.random(rnd, c));
  }

  @Test
  void matmulSplitsOutputRows() {
    // 96 x 128 x 100 multiply-adds: above the split threshold; every transpose case, and the fused linear
    int m = 96;
    int k = 128;
    int n = 100;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        // the same dot products in bands of rows: BLAS may block them differently, so allow float rounding
        assertSame("matmul ta=" + ta + " tb=" + tb, 1e-5, 0, (g, v) -> MatMul.matmul(g, v[0], v[1], ta, tb),
            GradCheck.random(rnd, m, n), GradCheck.random(rnd, ta ? k : m, ta ? m : k),
            GradCheck.random(rnd, tb ? n : k, tb ? k : n));
      }
    }
    assertSame("linear", 1e-5, 0, (g, v) -> MatMul.linear(g, v[0], v[1], v[2]), GradCheck.random(rnd, 4, 30, n),
        GradCheck.random(rnd, 4, 30, k), GradCheck.random(rnd, n, k), GradCheck.random(rnd, n));
  }

  @Test
  void attentionSplitsHeads() {
    int b = 3;
    int t = 70; // two causal row blocks
    int c = 3 * 4;
    assertSame("selfAttention", 0, 0, (g, v) -> Attention.selfAttention(g, v[0], 3, true, null, 0.2f, 8L),
        GradCheck.random(rnd, b, t, c), GradCheck.random(rnd, b, t, 3 * c));
    assertSame("scaledDotProduct", 0, 0, (g, v) -> Attention.scaledDotProduct(g, v[0], v[1], v[2], true),
        GradCheck.random(rnd, 2, 2, 5, 4), GradCheck.random(rnd, 2, 2, 5, 4), GradCheck.random(rnd, 2, 2, 7, 4),
        GradCheck.random(rnd, 2, 2, 7, 4));
  }
}
