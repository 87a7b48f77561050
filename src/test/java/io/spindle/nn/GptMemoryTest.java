package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.tensor.Storage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The size estimates that commands check before allocating: the parameter count is exact, and the activation
 * estimates stay above what a pass really allocates ({@link Storage#bytesAllocated()}) without being loose by more
 * than a small factor, across shapes that stress each term (width, depth, heads, context, vocabulary).
 */
class GptMemoryTest {
  /** B, T, L, NH, C, V. */
  private static final int[][] SHAPES = {{4, 16, 1, 2, 16, 65}, {1, 8, 1, 1, 4, 10}, {4, 32, 2, 2, 32, 65},
      {4, 32, 1, 8, 32, 65}, {4, 32, 1, 2, 32, 1000}, {2, 64, 3, 4, 64, 300}, {8, 48, 2, 8, 64, 3000}};

  @Test
  void parameterCountIsTheBuiltModelsWithAndWithoutBiases() {
    for (boolean bias : new boolean[] {true, false}) {
      for (int[] s : SHAPES) {
        GptConfig c = new GptConfig(s[5], s[1], s[2], s[3], s[4], 0.0, bias);
        assertEquals(Gpt.declare(c).build().count(), c.parameterCount(), c.toString());
      }
    }
  }

  @Test
  void aModelLargerThanOneParameterBufferIsRefusedWithoutBuildingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GptConfig(65, 128, 1_000_000_000, 4, 128, 0.0, true));
    assertTrue(e.getMessage().contains("n_layer 1000000000") && e.getMessage().contains("536,870,880"),
        e.getMessage());
    // n_embd near 2^31: 12 C^2 overflows a long, the check must not
    assertThrows(IllegalArgumentException.class, () -> new GptConfig(5, 4, 1, 1, Integer.MAX_VALUE, 0.0, true));
  }

  @Test
  void activationEstimatesBoundWhatAPassAllocates() {
    Random rnd = new Random(1);
    for (int[] s : SHAPES) {
      int rows = s[0];
      int time = s[1];
      GptConfig c = new GptConfig(s[5], time, s[2], s[3], s[4], 0.1, true);
      Gpt model = Gpt.create(c, 1);
      int[] ids = new int[rows * time];
      int[] targets = new int[rows * time];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rnd.nextInt(c.vocabSize());
        targets[i] = rnd.nextInt(c.vocabSize());
      }
      long before = Storage.bytesAllocated();
      Graph g = Graph.training();
      g.backward(model.loss(g, ids, targets, rows, time, true, 3, Reduction.SUM));
      double training = (Storage.bytesAllocated() - before) / 4.0;
      before = Storage.bytesAllocated();
      model.loss(Graph.inference(), ids, targets, rows, time, false, 0, Reduction.SUM);
      double inference = (Storage.bytesAllocated() - before) / 4.0;
      double trainingEstimate = GptMemory.trainingActivations(c, rows);
      double inferenceEstimate = GptMemory.inferenceActivations(c, rows, time);
      String shape = c + " x " + rows;
      assertTrue(trainingEstimate >= training && trainingEstimate <= 2 * training + 2048,
          shape + ": training estimate " + trainingEstimate + ", allocated " + training);
      assertTrue(inferenceEstimate >= inference && inferenceEstimate <= 2 * inference + 2048,
          shape + ": inference estimate " + inferenceEstimate + ", allocated " + inference);
      assertTrue(GptMemory.largestTensor(c, rows, time, true) >= (double) rows * time * c.vocabSize());
    }
  }
}
