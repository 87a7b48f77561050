package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.autograd.Graph;
import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Streaming generation: the same tokens as recomputing the context from scratch, handed over one at a time. */
class SamplerTest {
  private static final GptConfig TINY = new GptConfig(11, 8, 2, 2, 8, 0.0, true);

  /**
   * Greedy decoding by full recomputation, with the sampler's context rule: the context grows to the block size,
   * then restarts from its newest half (including the token just drawn).
   */
  private static int[] greedyReference(Gpt model, int[] prompt, int n) {
    int blockSize = model.config().blockSize();
    List<Integer> context = new ArrayList<>();
    for (int i = Math.max(0, prompt.length - blockSize); i < prompt.length; i++) {
      context.add(prompt[i]);
    }
    int[] out = new int[n];
    for (int k = 0; k < n; k++) {
      int[] ids = context.stream().mapToInt(Integer::intValue).toArray();
      Tensor logits = model.logits(Graph.inference(), ids, 1, ids.length, false, 0).value(); // (1, T, V)
      int v = logits.dim(-1);
      int best = 0;
      for (int j = 1; j < v; j++) {
        if (logits.get((ids.length - 1) * v + j) > logits.get((ids.length - 1) * v + best)) {
          best = j;
        }
      }
      out[k] = best;
      if (context.size() == blockSize) {
        context.add(best);
        context = new ArrayList<>(context.subList(context.size() - blockSize / 2, context.size()));
      } else {
        context.add(best);
      }
    }
    return out;
  }

  @Test
  void greedyGenerationPastTheBlockSizeMatchesFullRecomputation() {
    Gpt model = Gpt.create(TINY, 6);
    int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; // longer than the block size: only the newest 8 count
    assertArrayEquals(greedyReference(model, prompt, 30), new Sampler(model).generate(prompt, 30, 0, 0, 0));
  }

  @Test
  void tokensAreHandedOverAsDrawnAndTheSinkCanStop() {
    Gpt model = Gpt.create(TINY, 7);
    int[] prompt = {3, 1};
    int[] all = new Sampler(model).generate(prompt, 40, 1.0, 0, 5);
    List<Integer> streamed = new ArrayList<>();
    // No buffer of maxNewTokens is made: a practically endless generation stops when the sink says so.
    new Sampler(model).generate(prompt, Long.MAX_VALUE, 1.0, 0, 5, token -> {
      streamed.add(token);
      return streamed.size() < 25;
    });
    assertEquals(25, streamed.size());
    for (int i = 0; i < streamed.size(); i++) {
      assertEquals(all[i], streamed.get(i), "token " + i);
    }
  }

  @Test
  void blockSizeOneStillGenerates() {
    Gpt model = Gpt.create(new GptConfig(5, 1, 1, 1, 4, 0.0, true), 8);
    assertEquals(12, new Sampler(model).generate(new int[] {2}, 12, 0.7, 0, 1).length);
  }

  @Test
  void nonFiniteOrNegativeSettingsAreRefused() {
    Sampler s = new Sampler(Gpt.create(TINY, 1));
    assertThrows(IllegalArgumentException.class, () -> s.generate(new int[] {1}, 3, Double.NaN, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> s.generate(new int[] {1}, 3, Double.POSITIVE_INFINITY, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> s.generate(new int[] {1}, -1, 1.0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> s.generate(new int[] {1}, 3, 1.0, -2, 0));
  }
}
