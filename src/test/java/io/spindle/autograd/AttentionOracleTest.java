package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused attention op against its unfused definition composed from primitive ops:
 * {@code softmax(maskedFill(q k^T * scale, mask, -1e9)) v}, values and gradients.
 */
class AttentionOracleTest {

  private static Variable unfused(Graph g, Variable q, Variable k, Variable v, Mask mask) {
    float scale = (float) (1 / Math.sqrt(q.value().dim(-1)));
    Variable s = Elementwise.scale(g, MatMul.matmul(g, q, k, false, true), scale); // (B, NH, T, S)
    if (mask != null) {
      s = MaskedFill.maskedFill(g, s, mask, -1e9f);
    }
    return MatMul.matmul(g, Softmax.softmax(g, s), v); // (B, NH, T, HS)
  }

  private static void compare(boolean causal, boolean[][] padding, int t, int s) {
    Random rnd = new Random(7);
    Tensor q = GradCheck.random(rnd, 2, 2, t, 4);
    Tensor k = GradCheck.random(rnd, 2, 2, s, 4);
    Tensor v = GradCheck.random(rnd, 2, 2, s, 4);
    Mask mask = causal ? Mask.causal(t, s) : padding != null ? Mask.keyPadding(padding) : null;
    Tensor r = GradCheck.random(rnd, 2, 2, t, 4);
    Variable[] fused = run(r, q, k, v, (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], causal, padding,
        0f, 0L));
    Variable[] oracle = run(r, q, k, v, (g, x) -> unfused(g, x[0], x[1], x[2], mask));
    for (int i = 0; i < 4; i++) {
      Tensor a = fused[i].value();
      Tensor b = oracle[i].value();
      for (int j = 0; j < a.size(); j++) {
        // float32 paths that differ in summation order: agreement to a few ulps of O(1) values
        assertEquals(b.get(j), a.get(j), 2e-5, "causal=" + causal + " tensor " + i + " element " + j);
      }
    }
  }

  /** Returns {output, dq, dk, dv} for L = sum(out * r). */
  private static Variable[] run(Tensor r, Tensor q, Tensor k, Tensor v,
      java.util.function.BiFunction<Graph, Variable[], Variable> f) {
    Graph g = Graph.training();
    Variable[] x = {Variable.leaf(q.copy()), Variable.leaf(k.copy()), Variable.leaf(v.copy())};
    Variable out = f.apply(g, x);
    g.backward(Reductions.sum(g, Elementwise.mul(g, out, Variable.constant(r))));
    return new Variable[] {out, Variable.constant(x[0].grad()), Variable.constant(x[1].grad()),
        Variable.constant(x[2].grad())};
  }

  @Test
  void matchesUnfusedWithoutMask() {
    compare(false, null, 3, 5);
  }

  @Test
  void matchesUnfusedCausal() {
    compare(true, null, 4, 4);
    compare(true, null, 2, 5);
  }

  /** More query rows than {@link Attention#CAUSAL_ROWS}: several row blocks, each stopping at its own last key. */
  @Test
  void matchesUnfusedCausalAcrossRowBlocks() {
    compare(true, null, 2 * Attention.CAUSAL_ROWS + 3, 2 * Attention.CAUSAL_ROWS + 3);
    compare(true, null, Attention.CAUSAL_ROWS + 5, 2 * Attention.CAUSAL_ROWS + 9); // T < S, as with a KV cache
  }

  @Test
  void matchesUnfusedWithKeyPadding() {
    compare(false, new boolean[][] {{false, true, false, true, false}, {false, false, false, false, true}}, 3, 5);
  }
}
