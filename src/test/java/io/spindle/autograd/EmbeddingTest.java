package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class EmbeddingTest {
  private final Random rnd = new Random(4);

  private static void assertMessage(Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void forwardPicksRows() {
    Tensor w = GradCheck.random(rnd, 5, 3);
    int[] ids = {4, 0, 4, 2, 1, 3};
    Tensor out = Embedding.lookup(Graph.inference(), Variable.constant(w), ids, 2, 3).value();
    assertArrayEquals(new int[] {2, 3, 3}, out.shape());
    for (int p = 0; p < ids.length; p++) {
      for (int i = 0; i < 3; i++) {
        assertEquals(w.get(ids[p] * 3 + i), out.get(p * 3 + i), 0f);
      }
    }
  }

  @Test
  void gradientsWithRepeatedIds() {
    Tensor w = GradCheck.random(rnd, 6, 4);
    int[] ids = {4, 0, 4, 2, 4, 0};
    GradCheck.check("embedding (B, T)", (g, v) -> Embedding.lookup(g, v[0], ids, 2, 3), w);
    GradCheck.check("embedding (N,)", (g, v) -> Embedding.lookup(g, v[0], ids, 6), w);
  }

  @Test
  void scatterAddCountsOccurrences() {
    Tensor w = GradCheck.random(rnd, 5, 2);
    Variable weight = Variable.leaf(w);
    int[] ids = {3, 1, 3, 3};
    Graph g = Graph.training();
    Variable out = Embedding.lookup(g, weight, ids, 4);
    ids[0] = 0; // the op keeps its own copy of the ids for backward
    g.backward(Reductions.sum(g, out));
    float[] expected = {0, 0, 1, 1, 0, 0, 3, 3, 0, 0}; // row 1 once, row 3 three times
    assertArrayEquals(expected, weight.grad().toArray(), 0f);
  }

  @Test
  void idOutOfRangeNamesPositionIdAndVocabulary() {
    Variable w = Variable.constant(Tensor.zeros(5, 3));
    assertMessage(() -> Embedding.lookup(Graph.inference(), w, new int[] {0, 1, 5, 2}, 2, 2),
        "embedding", "id 5", "position 2", "[1, 0]", "[0, 5)");
    assertMessage(() -> Embedding.lookup(Graph.inference(), w, new int[] {-1}, 1),
        "embedding", "id -1", "position 0", "[0, 5)");
  }

  @Test
  void rejectsBadShapes() {
    Variable w = Variable.constant(Tensor.zeros(5, 3));
    assertMessage(() -> Embedding.lookup(Graph.inference(), w, new int[] {0, 1, 2}, 2, 2), "embedding", "3 ids",
        "(2, 2)");
    assertMessage(() -> Embedding.lookup(Graph.inference(), Variable.constant(Tensor.zeros(5)), new int[] {0}, 1),
        "embedding", "(5,)");
  }
}
