package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * {@link Attention#selfAttention} on a packed (B, T, 3C) projection against its definition: split into q, k, v,
 * move heads forward, {@link Attention#scaledDotProduct}, move heads back. Values and gradients must agree.
 */
class SelfAttentionTest {
  private final Random rnd = new Random(11);

  /** (B, T, C) to (B, NH, T, HS). */
  private static Variable heads(Graph g, Variable x, int nh) {
    int[] s = x.shape();
    return Shapes.transpose(g, Shapes.reshape(g, x, s[0], s[1], nh, s[2] / nh), 1, 2);
  }

  /** The oracle: the unpacked composition. */
  private static Variable unpacked(Graph g, Variable qkv, int nh, boolean causal, boolean[][] pad, float p,
      long seed) {
    int[] s = qkv.shape();
    int c = s[2] / 3;
    Variable[] parts = Shapes.split(g, qkv, -1, c, c, c); // 3 x (B, T, C)
    Variable y = Attention.scaledDotProduct(g, heads(g, parts[0], nh), heads(g, parts[1], nh),
        heads(g, parts[2], nh), causal, pad, p, seed); // (B, NH, T, HS)
    return Shapes.reshape(g, Shapes.transpose(g, y, 1, 2), s[0], s[1], c); // (B, T, C)
  }

  /** {output, dqkv} for L = sum(out * r). */
  private static Tensor[] run(Tensor qkv, Tensor r, BiFunction<Graph, Variable, Variable> f) {
    Graph g = Graph.training();
    Variable x = Variable.leaf(qkv.copy());
    Variable out = f.apply(g, x);
    g.backward(Reductions.sum(g, Elementwise.mul(g, out, Variable.constant(r))));
    return new Tensor[] {out.value(), x.grad()};
  }

  private void compare(String name, int b, int t, int nh, int hs, boolean causal, boolean[][] pad, float p) {
    int c = nh * hs;
    Tensor qkv = GradCheck.random(rnd, b, t, 3 * c);
    Tensor r = GradCheck.random(rnd, b, t, c);
    Tensor[] packed = run(qkv, r, (g, x) -> Attention.selfAttention(g, x, nh, causal, pad, p, 5L));
    Tensor[] oracle = run(qkv, r, (g, x) -> unpacked(g, x, nh, causal, pad, p, 5L));
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(oracle[i].shape(), packed[i].shape(), name);
      for (int j = 0; j < oracle[i].size(); j++) {
        // the same gemms on the same numbers, read with other strides: BLAS may block them differently
        assertEquals(oracle[i].get(j), packed[i].get(j), 1e-6, name + (i == 0 ? " out[" : " dqkv[") + j + "]");
      }
    }
  }

  @Test
  void matchesUnpackedComposition() {
    boolean[][] pad = {{false, true, false, false, true}, {false, false, false, false, false}};
    compare("causal", 2, 5, 3, 4, true, null, 0f);
    compare("plain", 2, 5, 3, 4, false, null, 0f);
    compare("key padding", 2, 5, 2, 3, false, pad, 0f);
    compare("causal, padding, dropout", 2, 5, 2, 3, true, pad, 0.3f);
    compare("one head", 1, 7, 1, 8, true, null, 0f);
    compare("causal, row blocks, dropout", 1, 2 * Attention.CAUSAL_ROWS + 1, 2, 2, true, null, 0.2f);
  }

  @Test
  void gradients() {
    GradCheck.check("selfAttention causal", (g, v) -> Attention.selfAttention(g, v[0], 2, true, null, 0f, 0L),
        GradCheck.random(rnd, 2, 4, 3 * 6));
    GradCheck.check("selfAttention(x) + x[..., :C]", (g, v) -> Elementwise.add(g,
        Attention.selfAttention(g, v[0], 3, false, null, 0f, 0L), Shapes.split(g, v[0], -1, 6, 12)[0]),
        GradCheck.random(rnd, 1, 3, 3 * 6));
  }

  @Test
  void inferenceRecordsNothing() {
    Tensor qkv = GradCheck.random(rnd, 1, 4, 12);
    Graph g = Graph.inference();
    Variable y = Attention.selfAttention(g, Variable.constant(qkv), 2, true, null, 0f, 0L);
    assertArrayEquals(new int[] {1, 4, 4}, y.shape());
    assertTrue(!y.requiresGrad());
    assertEquals(0, g.size());
  }

  @Test
  void badInputsNameOpAndShapes() {
    Graph g = Graph.inference();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Attention.selfAttention(g, Variable.constant(Tensor.zeros(2, 3, 10)), 2, true, null, 0f, 0L));
    assertTrue(e.getMessage().contains("selfAttention") && e.getMessage().contains("(2, 3, 10)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Attention.selfAttention(g, Variable.constant(Tensor.zeros(3, 12)), 2, true, null, 0f, 0L));
    assertTrue(e.getMessage().contains("(3, 12)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Attention.selfAttention(g, Variable.constant(Tensor.zeros(2, 3, 12)), 2, true, new boolean[1][3], 0f,
            0L));
    assertTrue(e.getMessage().contains("keyPadding"), e.getMessage());
  }
}
