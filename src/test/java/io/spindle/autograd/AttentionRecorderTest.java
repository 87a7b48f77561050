package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The probabilities an inference graph records are the ones the op used: the op's output is P v, row by row; rows
 * sum to 1 over the visible keys and masked keys get exactly 0.
 */
class AttentionRecorderTest {
  private final Random rnd = new Random(11);

  /** Scores large enough that the softmax is far from uniform, so a wrong P cannot pass for the right one. */
  private Tensor random(int... shape) {
    return GradCheck.random(rnd, shape).scaleInPlace(3f);
  }

  /** Checks P (B, NH, T, S) against the output (B, NH, T, HS) = P v, and its masks, in double. */
  private static void assertOutputIsPTimesV(Tensor p, Tensor v, Tensor out, boolean causal, boolean[][] pad) {
    int bn = p.dim(0);
    int nh = p.dim(1);
    int t = p.dim(2);
    int s = p.dim(3);
    int hs = v.dim(3);
    for (int b = 0; b < bn; b++) {
      for (int h = 0; h < nh; h++) {
        int bh = b * nh + h;
        for (int i = 0; i < t; i++) {
          double sum = 0;
          boolean anyVisible = false;
          for (int j = 0; j < s; j++) {
            float pij = p.get((bh * t + i) * s + j);
            boolean visible = !(causal && j > i + (s - t)) && !(pad != null && pad[b][j]);
            anyVisible |= visible;
            if (!visible) {
              assertEquals(0f, pij, "masked key " + j + " of query " + i + ", batch " + b + ", head " + h);
            }
            sum += pij;
          }
          assertEquals(anyVisible ? 1.0 : 0.0, sum, 1e-5, "row sum of query " + i);
          for (int d = 0; d < hs; d++) {
            double expected = 0;
            for (int j = 0; j < s; j++) {
              expected += (double) p.get((bh * t + i) * s + j) * v.get((bh * s + j) * hs + d);
            }
            assertEquals(expected, out.get((bh * t + i) * hs + d), 1e-4, "out = P v at query " + i + ", dim " + d);
          }
        }
      }
    }
  }

  @Test
  void recordsTheProbabilitiesOfCausalAndPaddedAttention() {
    int bn = 2;
    int nh = 2;
    int t = 3;
    int s = 5; // a block of 3 queries at the end of 5 keys, as with a KV cache
    int hs = 4;
    Tensor q = random(bn, nh, t, hs);
    Tensor k = random(bn, nh, s, hs);
    Tensor v = random(bn, nh, s, hs);
    boolean[][] pad = {{false, false, false, true, true}, {false, true, false, false, false}};
    AttentionRecorder recorder = new AttentionRecorder();
    Graph g = Graph.inference(recorder);
    Tensor causal = Attention.scaledDotProduct(g, Variable.constant(q), Variable.constant(k), Variable.constant(v),
        true, pad, 0f, 0L).value();
    Tensor plain = Attention.scaledDotProduct(g, Variable.constant(q), Variable.constant(k), Variable.constant(v),
        false, null, 0f, 0L).value();
    List<Tensor> p = recorder.probabilities();
    assertEquals(2, p.size());
    assertArrayEquals(new int[] {bn, nh, t, s}, p.get(0).shape());
    assertOutputIsPTimesV(p.get(0), v, causal, true, pad);
    assertOutputIsPTimesV(p.get(1), v, plain, false, null);
  }

  @Test
  void recordsTheFusedSelfAttentionHeadByHead() {
    int bn = 2;
    int nh = 2;
    int t = 4;
    int hs = 3;
    int c = nh * hs;
    Tensor qkv = random(bn, t, 3 * c);
    boolean[][] pad = {{false, false, false, false}, {false, false, true, true}};
    AttentionRecorder recorder = new AttentionRecorder();
    Graph g = Graph.inference(recorder);
    Tensor out = Attention.selfAttention(g, Variable.constant(qkv), nh, true, pad, 0f, 0L).value(); // (B, T, C)
    Tensor p = recorder.probabilities().get(0);
    assertArrayEquals(new int[] {bn, nh, t, t}, p.shape());
    // v and out in the (B, NH, T, HS) layout, from the packed (B, T, 3C) and the merged (B, T, C)
    Tensor v = Tensor.zeros(bn, nh, t, hs);
    Tensor o = Tensor.zeros(bn, nh, t, hs);
    for (int b = 0; b < bn; b++) {
      for (int h = 0; h < nh; h++) {
        for (int i = 0; i < t; i++) {
          for (int d = 0; d < hs; d++) {
            v.set(((b * nh + h) * t + i) * hs + d, qkv.get((b * t + i) * 3 * c + 2 * c + h * hs + d));
            o.set(((b * nh + h) * t + i) * hs + d, out.get((b * t + i) * c + h * hs + d));
          }
        }
      }
    }
    assertOutputIsPTimesV(p, v, o, true, pad);
  }

  @Test
  void aNullRecorderIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Graph.inference(null));
  }
}
