package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MaskedFillTest {
  private final Random rnd = new Random(5);

  private static void assertMessage(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  private static boolean[] flags(Mask m) {
    boolean[] out = new boolean[m.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = m.isMasked(i);
    }
    return out;
  }

  @Test
  void causalIsEndAligned() {
    assertArrayEquals(new boolean[] {false, true, true, false, false, true, false, false, false},
        flags(Mask.causal(3, 3)));
    // two queries at the end of four keys: query 0 is position 2, query 1 is position 3
    assertArrayEquals(new boolean[] {false, false, false, true, false, false, false, false},
        flags(Mask.causal(2, 4)));
    assertArrayEquals(new int[] {2, 4}, Mask.causal(2, 4).shape());
    // more queries than keys: the first query sees nothing
    assertArrayEquals(new boolean[] {true, true, false, true, false, false}, flags(Mask.causal(3, 2)));
  }

  @Test
  void keyPaddingHasBroadcastShape() {
    Mask m = Mask.keyPadding(new boolean[][] {{false, false, true}, {false, true, true}});
    assertArrayEquals(new int[] {2, 1, 1, 3}, m.shape());
    assertArrayEquals(new boolean[] {false, false, true, false, true, true}, flags(m));
    assertMessage(() -> Mask.keyPadding(new boolean[][] {{false}, {false, true}}), "keyPadding", "row 1");
    assertMessage(() -> Mask.of(new boolean[3], 2, 2), "Mask", "3", "(2, 2)");
  }

  @Test
  void forwardMatchesBroadcastReference() {
    // (B, NH, T, S) scores with a (T, S) causal mask and a (B, 1, 1, S) padding mask
    int b = 2;
    int nh = 2;
    int t = 3;
    int s = 4;
    Tensor x = GradCheck.random(rnd, b, nh, t, s);
    Mask causal = Mask.causal(t, s);
    boolean[][] padded = {{false, true, false, false}, {true, false, false, true}};
    Mask padding = Mask.keyPadding(padded);
    Tensor byCausal = MaskedFill.maskedFill(Graph.inference(), Variable.constant(x), causal, -7f).value();
    Tensor byPadding = MaskedFill.maskedFill(Graph.inference(), Variable.constant(x), padding, 9f).value();
    for (int bi = 0; bi < b; bi++) {
      for (int h = 0; h < nh; h++) {
        for (int i = 0; i < t; i++) {
          for (int j = 0; j < s; j++) {
            int at = ((bi * nh + h) * t + i) * s + j;
            assertEquals(j > i + (s - t) ? -7f : x.get(at), byCausal.get(at), 0f);
            assertEquals(padded[bi][j] ? 9f : x.get(at), byPadding.get(at), 0f);
          }
        }
      }
    }
  }

  @Test
  void middleDimensionBroadcast() {
    // mask (2, 1, 3) against x (2, 4, 3): repeated along the middle dimension
    boolean[] m = {true, false, false, false, true, true};
    Tensor x = GradCheck.random(rnd, 2, 4, 3);
    Tensor out = MaskedFill.maskedFill(Graph.inference(), Variable.constant(x), Mask.of(m, 2, 1, 3), 0.5f).value();
    for (int a = 0; a < 2; a++) {
      for (int r = 0; r < 4; r++) {
        for (int j = 0; j < 3; j++) {
          int at = (a * 4 + r) * 3 + j;
          assertEquals(m[a * 3 + j] ? 0.5f : x.get(at), out.get(at), 0f);
        }
      }
    }
  }

  @Test
  void gradients() {
    Tensor x = GradCheck.random(rnd, 2, 2, 3, 4);
    Mask causal = Mask.causal(3, 4);
    Mask padding = Mask.keyPadding(new boolean[][] {{false, true, false, false}, {true, false, false, true}});
    GradCheck.check("maskedFill causal", (g, v) -> MaskedFill.maskedFill(g, v[0], causal, -1e9f), x);
    GradCheck.check("maskedFill padding", (g, v) -> MaskedFill.maskedFill(g, v[0], padding, 3f), x);
    GradCheck.check("maskedFill row mask", (g, v) -> MaskedFill.maskedFill(g, v[0],
        Mask.of(new boolean[] {true, false, true, false}, 4), 0f), x);
    // x used twice: maskedFill(x) + x has gradient 1 where masked, 2 elsewhere
    GradCheck.check("maskedFill(x) + x", (g, v) -> Elementwise.add(g, MaskedFill.maskedFill(g, v[0], causal, 2f),
        v[0]), x);
    Graph g = Graph.training();
    Variable leaf = Variable.leaf(GradCheck.random(rnd, 3, 4));
    g.backward(Reductions.sum(g, Elementwise.add(g, MaskedFill.maskedFill(g, leaf, causal, 2f), leaf)));
    for (int i = 0; i < 12; i++) {
      assertEquals(causal.isMasked(i) ? 1f : 2f, leaf.grad().get(i), 0f);
    }
  }

  @Test
  void broadcastErrorsNameOpAndShapes() {
    Variable x = Variable.constant(Tensor.zeros(2, 4));
    assertMessage(() -> MaskedFill.maskedFill(Graph.inference(), x, Mask.of(new boolean[3], 3), 0f),
        "maskedFill", "(3,)", "(2, 4)");
    assertMessage(() -> MaskedFill.maskedFill(Graph.inference(), x, Mask.causal(4, 4), 0f),
        "maskedFill", "(4, 4)", "(2, 4)");
    assertMessage(() -> MaskedFill.maskedFill(Graph.inference(), x, Mask.of(new boolean[8], 1, 2, 4), 0f),
        "maskedFill", "(1, 2, 4)", "(2, 4)");
  }
}
