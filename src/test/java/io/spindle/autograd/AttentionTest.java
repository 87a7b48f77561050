package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Fused attention against a double-precision reference written with plain loops (scores, mask, softmax, dropout,
 * weighted sum) and against finite differences.
 *
 * <p>The oracle built from the unfused primitive ops (matmul with transB, scale, maskedFill with -1e9, softmax,
 * matmul) is added once the Softmax op lands in this package; until then the loop reference is the forward oracle.
 */
class AttentionTest {
  private final Random rnd = new Random(6);

  private static Variable c(Tensor t) {
    return Variable.constant(t);
  }

  private static void assertMessage(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  /** Attention in double with plain loops; rows with no visible key are zero. */
  private static double[] reference(Tensor q, Tensor k, Tensor v, boolean causal, boolean[][] pad, float p,
      long seed) {
    int b = q.dim(0);
    int nh = q.dim(1);
    int t = q.dim(2);
    int hs = q.dim(3);
    int s = k.dim(2);
    double[] out = new double[b * nh * t * hs];
    for (int bi = 0; bi < b; bi++) {
      for (int h = 0; h < nh; h++) {
        int bh = bi * nh + h;
        for (int i = 0; i < t; i++) {
          double[] score = new double[s];
          boolean[] visible = new boolean[s];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < s; j++) {
            double dot = 0;
            for (int d = 0; d < hs; d++) {
              dot += (double) q.get((bh * t + i) * hs + d) * k.get((bh * s + j) * hs + d);
            }
            score[j] = dot / Math.sqrt(hs);
            visible[j] = !(causal && j > i + (s - t)) && !(pad != null && pad[bi][j]);
            if (visible[j]) {
              max = Math.max(max, score[j]);
            }
          }
          double sum = 0;
          double[] prob = new double[s];
          for (int j = 0; j < s; j++) {
            prob[j] = visible[j] ? Math.exp(score[j] - max) : 0;
            sum += prob[j];
          }
          for (int j = 0; j < s; j++) {
            prob[j] = sum == 0 ? 0 : prob[j] / sum;
            if (p > 0) {
              prob[j] = Attention.keeps(seed, (long) (bh * t + i) * s + j, p) ? prob[j] / (1 - p) : 0;
            }
            for (int d = 0; d < hs; d++) {
              out[(bh * t + i) * hs + d] += prob[j] * v.get((bh * s + j) * hs + d);
            }
          }
        }
      }
    }
    return out;
  }

  private void assertMatchesReference(String name, int b, int nh, int t, int s, int hs, boolean causal,
      boolean[][] pad, float p, long seed) {
    Tensor q = GradCheck.random(rnd, b, nh, t, hs);
    Tensor k = GradCheck.random(rnd, b, nh, s, hs);
    Tensor v = GradCheck.random(rnd, b, nh, s, hs);
    Tensor out = Attention.scaledDotProduct(Graph.inference(), c(q), c(k), c(v), causal, pad, p, seed).value();
    assertArrayEquals(new int[] {b, nh, t, hs}, out.shape());
    double[] ref = reference(q, k, v, causal, pad, p, seed);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], out.get(i), 2e-5, name + " at " + i);
    }
  }

  @Test
  void forwardMatchesDoubleReference() {
    boolean[][] pad = {{false, false, true, false, false, true}, {true, false, false, false, false, false}};
    assertMatchesReference("plain", 2, 3, 4, 6, 5, false, null, 0f, 0L);
    assertMatchesReference("causal T == S", 2, 3, 5, 5, 4, true, null, 0f, 0L);
    assertMatchesReference("causal T < S", 2, 3, 4, 6, 5, true, null, 0f, 0L);
    assertMatchesReference("key padding", 2, 3, 4, 6, 5, false, pad, 0f, 0L);
    assertMatchesReference("causal, padding, dropout", 2, 3, 4, 6, 5, true, pad, 0.3f, 7L);
    assertMatchesReference("one key", 1, 1, 1, 1, 3, true, null, 0f, 0L);
    int rows = Attention.CAUSAL_ROWS;
    assertMatchesReference("causal, row blocks, dropout", 1, 2, 2 * rows + 3, 2 * rows + 7, 3, true, null, 0.2f, 9L);
    assertMatchesReference("causal, T > S, row blocks", 1, 1, rows + 9, 4, 3, true, null, 0f, 0L);
  }

  @Test
  void gradients() {
    Tensor q = GradCheck.random(rnd, 2, 2, 3, 4);
    Tensor k = GradCheck.random(rnd, 2, 2, 5, 4);
    Tensor v = GradCheck.random(rnd, 2, 2, 5, 4);
    Tensor qs = GradCheck.random(rnd, 2, 2, 5, 4); // T == S
    GradCheck.check("attention", (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], false), q, k, v);
    GradCheck.check("attention causal T == S", (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], true),
        qs, k, v);
    GradCheck.check("attention causal T < S", (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], true),
        q, k, v);
    boolean[][] pad = {{false, true, false, false, true}, {false, false, false, true, false}};
    GradCheck.check("attention key padding", (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], true, pad,
        0f, 0L), q, k, v);
    GradCheck.check("attention dropout", (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], true, pad,
        0.25f, 1234L), q, k, v);
    int rows = Attention.CAUSAL_ROWS + 6; // two row blocks
    GradCheck.check("attention causal, row blocks", (g, x) -> Attention.scaledDotProduct(g, x[0], x[1], x[2], true,
        null, 0.1f, 77L), GradCheck.random(rnd, 1, 1, rows, 2), GradCheck.random(rnd, 1, 1, rows + 3, 2),
        GradCheck.random(rnd, 1, 1, rows + 3, 2));
  }

  @Test
  void selfAttentionOnOneVariable() {
    // q = k = v: the variable receives three gradient contributions
    GradCheck.check("attention(x, x, x)", (g, x) -> Attention.scaledDotProduct(g, x[0], x[0], x[0], true),
        GradCheck.random(rnd, 1, 2, 4, 3));
  }

  @Test
  void fullyMaskedRowsGiveZerosAndZeroGradient() {
    // T = 4 > S = 2 under the causal rule: queries 0 and 1 see no key; batch row 1 has every key padded
    int t = 4;
    int s = 2;
    int hs = 3;
    boolean[][] pad = {{false, false}, {true, true}};
    Tensor qt = GradCheck.random(rnd, 2, 2, t, hs);
    Tensor kt = GradCheck.random(rnd, 2, 2, s, hs);
    Tensor vt = GradCheck.random(rnd, 2, 2, s, hs);
    Graph g = Graph.training();
    Variable q = Variable.leaf(qt);
    Variable k = Variable.leaf(kt);
    Variable v = Variable.leaf(vt);
    Variable out = Attention.scaledDotProduct(g, q, k, v, true, pad, 0.1f, 3L);
    g.backward(Reductions.sum(g, Elementwise.mul(g, out, c(GradCheck.random(rnd, 2, 2, t, hs)))));
    for (int bh = 0; bh < 4; bh++) {
      for (int i = 0; i < t; i++) {
        boolean blind = bh >= 2 || i < t - s;
        for (int d = 0; d < hs; d++) {
          int at = (bh * t + i) * hs + d;
          assertTrue(Float.isFinite(out.value().get(at)) && Float.isFinite(q.grad().get(at)));
          if (blind) {
            assertEquals(0f, out.value().get(at), 0f);
            assertEquals(0f, q.grad().get(at), 0f);
          }
        }
      }
    }
    for (int i = 0; i < kt.size(); i++) {
      assertTrue(Float.isFinite(k.grad().get(i)) && Float.isFinite(v.grad().get(i)));
      if (i >= kt.size() / 2) { // batch row 1: every key padded
        assertEquals(0f, k.grad().get(i), 0f);
        assertEquals(0f, v.grad().get(i), 0f);
      }
    }
    GradCheck.check("attention fully masked rows", (gr, x) -> Attention.scaledDotProduct(gr, x[0], x[1], x[2], true,
        pad, 0f, 0L), qt, kt, vt);
  }

  @Test
  void dropoutIsAPureFunctionOfSeedAndIndex() {
    Tensor q = GradCheck.random(rnd, 2, 2, 6, 4);
    Tensor k = GradCheck.random(rnd, 2, 2, 6, 4);
    Tensor v = GradCheck.random(rnd, 2, 2, 6, 4);
    float[] first = Attention.scaledDotProduct(Graph.inference(), c(q), c(k), c(v), true, null, 0.5f, 99L)
        .value().toArray();
    Graph training = Graph.training();
    float[] recorded = Attention.scaledDotProduct(training, Variable.leaf(q), c(k), c(v), true, null, 0.5f, 99L)
        .value().toArray();
    float[] otherSeed = Attention.scaledDotProduct(Graph.inference(), c(q), c(k), c(v), true, null, 0.5f, 100L)
        .value().toArray();
    assertArrayEquals(first, recorded, 0f);
    assertFalse(Arrays.equals(first, otherSeed));

    int kept = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      kept += Attention.keeps(5L, i, 0.3f) ? 1 : 0;
      assertTrue(Attention.keeps(5L, i, 0f));
    }
    // binomial(n, 0.7): standard deviation about 205, so 0.7 n +- 2000 is a 10-sigma band
    assertEquals(0.7 * n, kept, 2000);
  }

  @Test
  void convenienceOverloadIsNoPaddingNoDropout() {
    Tensor q = GradCheck.random(rnd, 1, 2, 3, 4);
    Tensor k = GradCheck.random(rnd, 1, 2, 3, 4);
    Tensor v = GradCheck.random(rnd, 1, 2, 3, 4);
    assertArrayEquals(
        Attention.scaledDotProduct(Graph.inference(), c(q), c(k), c(v), true, null, 0f, 5L).value().toArray(),
        Attention.scaledDotProduct(Graph.inference(), c(q), c(k), c(v), true).value().toArray(), 0f);
  }

  @Test
  void badInputsNameOpAndShapes() {
    Graph g = Graph.inference();
    Variable q = c(Tensor.zeros(2, 2, 3, 4));
    Variable k = c(Tensor.zeros(2, 2, 5, 4));
    assertMessage(() -> Attention.scaledDotProduct(g, q, c(Tensor.zeros(2, 2, 5, 3)), c(Tensor.zeros(2, 2, 5, 3)),
        false), "attention", "(2, 2, 3, 4)", "(2, 2, 5, 3)");
    assertMessage(() -> Attention.scaledDotProduct(g, q, k, c(Tensor.zeros(2, 2, 4, 4)), false), "attention",
        "(2, 2, 5, 4)", "(2, 2, 4, 4)");
    assertMessage(() -> Attention.scaledDotProduct(g, c(Tensor.zeros(2, 3, 4)), k, k, false), "attention",
        "(2, 3, 4)", "(2, 2, 5, 4)");
    assertMessage(() -> Attention.scaledDotProduct(g, q, c(Tensor.zeros(1, 2, 5, 4)), c(Tensor.zeros(1, 2, 5, 4)),
        false), "attention", "(2, 2, 3, 4)", "(1, 2, 5, 4)");
    assertMessage(() -> Attention.scaledDotProduct(g, q, k, k, false, new boolean[1][5], 0f, 0L), "attention",
        "keyPadding", "1 rows");
    assertMessage(() -> Attention.scaledDotProduct(g, q, k, k, false, new boolean[2][4], 0f, 0L), "attention",
        "keyPadding", "row 0", "(2, 2, 5, 4)");
    assertMessage(() -> Attention.scaledDotProduct(g, q, k, k, false, null, 1f, 0L), "attention", "dropout", "1.0");
  }
}
