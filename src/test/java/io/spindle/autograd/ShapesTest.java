package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ShapesTest {
  private final Random rnd = new Random(3);

  private static Variable c(Tensor t) {
    return Variable.constant(t);
  }

  /** Row-major strides of {@code shape}. */
  private static int[] strides(int[] shape) {
    int[] st = new int[shape.length];
    int acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      st[d] = acc;
      acc *= shape[d];
    }
    return st;
  }

  /** Reference transpose by full index arithmetic: out[idx with d0, d1 swapped] = x[idx]. */
  private static float[] referenceTranspose(Tensor x, int d0, int d1) {
    int[] xs = x.shape();
    int[] os = xs.clone();
    os[d0] = xs[d1];
    os[d1] = xs[d0];
    int[] xst = strides(xs);
    int[] ost = strides(os);
    float[] out = new float[x.size()];
    for (int flat = 0; flat < x.size(); flat++) {
      int[] idx = new int[xs.length];
      for (int d = 0; d < xs.length; d++) {
        idx[d] = flat / xst[d] % xs[d];
      }
      int tmp = idx[d0];
      idx[d0] = idx[d1];
      idx[d1] = tmp;
      int o = 0;
      for (int d = 0; d < os.length; d++) {
        o += idx[d] * ost[d];
      }
      out[o] = x.get(flat);
    }
    return out;
  }

  private static void assertMessage(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void reshapeIsAViewAndInfersMinusOne() {
    Tensor x = GradCheck.random(rnd, 2, 3, 4);
    Tensor out = Shapes.reshape(Graph.inference(), c(x), -1, 4).value();
    assertArrayEquals(new int[] {6, 4}, out.shape());
    assertSame(x.storage(), out.storage());
    assertArrayEquals(x.toArray(), out.toArray());
  }

  @Test
  void reshapeGradients() {
    Tensor x = GradCheck.random(rnd, 2, 3, 4);
    GradCheck.check("reshape", (g, v) -> Shapes.reshape(g, v[0], 4, -1), x);
    // used twice through two different views: d/dx (x_a * x_b) = 2x element for element
    GradCheck.check("reshape twice", (g, v) -> Elementwise.mul(g, Shapes.reshape(g, v[0], 6, 4),
        Shapes.reshape(g, v[0], -1, 4)), x);
  }

  @Test
  void reshapeRejectsWrongSize() {
    Tensor x = Tensor.zeros(2, 3);
    assertMessage(() -> Shapes.reshape(Graph.inference(), c(x), 4, -1), "reshape", "(2, 3)", "(4, -1)");
    assertMessage(() -> Shapes.reshape(Graph.inference(), c(x), 5), "reshape", "(2, 3)", "(5,)");
  }

  @Test
  void transposeMatchesIndexReferenceForEveryPair() {
    Tensor x = GradCheck.random(rnd, 2, 3, 4, 5);
    for (int d0 = 0; d0 < 4; d0++) {
      for (int d1 = 0; d1 < 4; d1++) {
        Tensor out = Shapes.transpose(Graph.inference(), c(x), d0, d1).value();
        assertArrayEquals(referenceTranspose(x, d0, d1), out.toArray(), 0f, "dims " + d0 + ", " + d1);
        assertEquals(x.dim(d0), out.dim(d1));
      }
    }
  }

  @Test
  void transposeHeadsWithNegativeDimsAndBack() {
    // (B, T, NH, HS) -> (B, NH, T, HS): out[b, h, t, :] = x[b, t, h, :]
    Tensor x = GradCheck.random(rnd, 2, 3, 4, 5);
    Variable heads = Shapes.transpose(Graph.inference(), c(x), -3, -2);
    assertArrayEquals(new int[] {2, 4, 3, 5}, heads.shape());
    assertEquals(x.get(((1 * 3 + 2) * 4 + 3) * 5 + 4), heads.value().get(((1 * 4 + 3) * 3 + 2) * 5 + 4));
    Tensor back = Shapes.transpose(Graph.inference(), heads, 1, 2).value();
    assertArrayEquals(x.toArray(), back.toArray(), 0f);
  }

  @Test
  void transposeGradients() {
    GradCheck.check("transpose 4-D (1, 2)", (g, v) -> Shapes.transpose(g, v[0], 1, 2),
        GradCheck.random(rnd, 2, 3, 4, 2));
    GradCheck.check("transpose 3-D (0, -1)", (g, v) -> Shapes.transpose(g, v[0], 0, -1),
        GradCheck.random(rnd, 3, 2, 4));
    GradCheck.check("transpose 2-D", (g, v) -> Shapes.transpose(g, v[0], -1, -2), GradCheck.random(rnd, 3, 5));
    GradCheck.check("transpose same dim", (g, v) -> Shapes.transpose(g, v[0], 1, 1), GradCheck.random(rnd, 3, 4));
    // a square matrix times its own transpose: x used twice
    GradCheck.check("x * x^T", (g, v) -> Elementwise.mul(g, v[0], Shapes.transpose(g, v[0], 0, 1)),
        GradCheck.random(rnd, 4, 4));
  }

  @Test
  void transposeRejectsBadDims() {
    Tensor x = Tensor.zeros(2, 3, 4, 5);
    assertMessage(() -> Shapes.transpose(Graph.inference(), c(x), 1, 4), "transpose", "4", "(2, 3, 4, 5)");
    assertMessage(() -> Shapes.transpose(Graph.inference(), c(x), -5, 0), "transpose", "-5", "(2, 3, 4, 5)");
  }

  @Test
  void splitLastDimIntoQkv() {
    // qkv (B, T, 3C) -> q, k, v (B, T, C)
    Tensor x = GradCheck.random(rnd, 2, 3, 12);
    Variable[] parts = Shapes.split(Graph.inference(), c(x), -1, 4, 4, 4);
    assertEquals(3, parts.length);
    for (int p = 0; p < 3; p++) {
      assertArrayEquals(new int[] {2, 3, 4}, parts[p].shape());
      for (int row = 0; row < 6; row++) {
        for (int i = 0; i < 4; i++) {
          assertEquals(x.get(row * 12 + p * 4 + i), parts[p].value().get(row * 4 + i));
        }
      }
    }
  }

  @Test
  void splitUnevenMiddleDimAndConcatInverts() {
    Tensor x = GradCheck.random(rnd, 2, 6, 3);
    Variable[] parts = Shapes.split(Graph.inference(), c(x), 1, 1, 0, 3, 2);
    assertArrayEquals(new int[] {2, 0, 3}, parts[1].shape());
    assertArrayEquals(new int[] {2, 3, 3}, parts[2].shape());
    assertEquals(x.get(1 * 18 + 3 * 3 + 2), parts[2].value().get(1 * 9 + 2 * 3 + 2)); // x[1, 3, 2] = part[1, 2, 2]
    Tensor joined = Shapes.concat(Graph.inference(), -2, parts).value();
    assertArrayEquals(x.shape(), joined.shape());
    assertArrayEquals(x.toArray(), joined.toArray(), 0f);
  }

  @Test
  void splitGradients() {
    Tensor x = GradCheck.random(rnd, 2, 3, 6);
    GradCheck.check("split middle piece", (g, v) -> Shapes.split(g, v[0], -1, 1, 3, 2)[1], x);
    // all three pieces reach the output: p0 * p2 + p1
    GradCheck.check("split all pieces", (g, v) -> {
      Variable[] p = Shapes.split(g, v[0], 2, 2, 2, 2);
      return Elementwise.add(g, Elementwise.mul(g, p[0], p[2]), p[1]);
    }, x);
    GradCheck.check("split dim 0", (g, v) -> {
      Variable[] p = Shapes.split(g, v[0], 0, 1, 1);
      return Elementwise.sub(g, p[0], p[1]);
    }, x);
  }

  @Test
  void splitRejectsBadSizes() {
    Tensor x = Tensor.zeros(2, 3, 6);
    assertMessage(() -> Shapes.split(Graph.inference(), c(x), -1, 2, 2), "split", "[2, 2]", "4", "(2, 3, 6)", "6");
    assertMessage(() -> Shapes.split(Graph.inference(), c(x), 1, 4, -1), "split", "negative", "(2, 3, 6)");
    assertMessage(() -> Shapes.split(Graph.inference(), c(x), 3, 6), "split", "3", "(2, 3, 6)");
  }

  @Test
  void concatForwardAlongMiddleDim() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2);
    Tensor b = Tensor.of(new float[] {5, 6, 7, 8, 9, 10, 11, 12}, 2, 2, 2);
    Tensor out = Shapes.concat(Graph.inference(), 1, c(a), c(b)).value();
    assertArrayEquals(new int[] {2, 3, 2}, out.shape());
    assertArrayEquals(new float[] {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12}, out.toArray(), 0f);
  }

  @Test
  void concatGradients() {
    Tensor a = GradCheck.random(rnd, 2, 3);
    Tensor b = GradCheck.random(rnd, 2, 2);
    GradCheck.check("concat last", (g, v) -> Shapes.concat(g, -1, v[0], v[1]), a, b);
    GradCheck.check("concat first", (g, v) -> Shapes.concat(g, 0, v[0], v[1]), a, GradCheck.random(rnd, 1, 3));
    GradCheck.check("concat(x, x)", (g, v) -> Shapes.concat(g, 1, v[0], v[0]), a);
    // concat(x, x): each element appears twice, so sum(concat(x, x)) has gradient exactly 2
    Graph g = Graph.training();
    Variable x = Variable.leaf(a);
    g.backward(Reductions.sum(g, Shapes.concat(g, 0, x, x)));
    for (int i = 0; i < a.size(); i++) {
      assertEquals(2f, x.grad().get(i), 0f);
    }
  }

  @Test
  void concatKeepsItsOwnListOfParts() {
    Variable x = Variable.leaf(GradCheck.random(rnd, 2));
    Variable y = Variable.leaf(GradCheck.random(rnd, 2));
    Variable[] parts = {x, y};
    Graph g = Graph.training();
    Variable out = Shapes.concat(g, 0, parts);
    parts[0] = y; // reusing the array must not redirect the gradient
    g.backward(Reductions.sum(g, Elementwise.mul(g, out, Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}, 4)))));
    assertArrayEquals(new float[] {1, 2}, x.grad().toArray(), 0f);
    assertArrayEquals(new float[] {3, 4}, y.grad().toArray(), 0f);
  }

  @Test
  void concatRejectsMismatchedParts() {
    Variable a = c(Tensor.zeros(2, 3));
    assertMessage(() -> Shapes.concat(Graph.inference(), 0, a, c(Tensor.zeros(2, 4))), "concat", "(2, 3)", "(2, 4)");
    assertMessage(() -> Shapes.concat(Graph.inference(), 1, a, c(Tensor.zeros(2, 3, 1))), "concat", "(2, 3)",
        "(2, 3, 1)");
    assertMessage(() -> Shapes.concat(Graph.inference(), 2, a, a), "concat", "2", "(2, 3)");
    assertMessage(() -> Shapes.concat(Graph.inference(), 0), "concat");
  }
}
