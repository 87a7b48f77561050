package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.TokenWindows;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Perplexity}: the windows of {@code spindle score}, scored one text at a time or packed with other texts'
 * windows into shared forward passes, padded to the longest.
 */
class PerplexityTest {
  static final Gpt MODEL = Gpt.create(new GptConfig(20, 16, 2, 2, 16, 0.0, true), 11);

  static int[] tokens(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(20);
    }
    return t;
  }

  @Test
  void scoreIsTheMeanOverTheConsecutiveWindowsOfTheText() {
    int[] text = tokens(100, 1);
    BatchGradient.Result r = Perplexity.score(MODEL, text, 4);
    assertEquals(99, r.tokens(), "every token after the first is predicted once");
    BatchGradient.Result windows = BatchGradient.evaluate(MODEL, new TokenWindows(text, 16).evaluationBatches(4));
    // the same windows, reduced per window rather than per batch: float rounding of the sums only
    assertEquals(windows.lossSum(), r.lossSum(), 1e-5 * windows.lossSum());
    int[] shortText = tokens(7, 2);
    BatchGradient.Result s = Perplexity.score(MODEL, shortText, 4);
    assertEquals(6, s.tokens());
    BatchGradient.Result oneWindow = BatchGradient.evaluate(MODEL, new TokenWindows(shortText, 6)
        .evaluationBatches(1));
    assertEquals(oneWindow.lossSum(), s.lossSum(), 1e-5 * oneWindow.lossSum(), "a window of n - 1 tokens");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Perplexity.score(MODEL, new int[] {3}, 4));
    assertTrue(e.getMessage().contains("at least 2 tokens"), e.getMessage());
  }

  @Test
  void packedTextsScoreAsTheyDoAlone() {
    List<int[]> texts = List.of(tokens(10, 3), tokens(1, 4), tokens(53, 5), new int[0], tokens(2, 6),
        tokens(17, 7));
    BatchGradient.Result[] packed = Perplexity.scoreEach(MODEL, texts, 3);
    assertEquals(texts.size(), packed.length);
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).length < 2) {
        assertEquals(0, packed[i].tokens(), "nothing to predict");
        assertTrue(Double.isNaN(packed[i].meanLoss()));
        continue;
      }
      BatchGradient.Result alone = Perplexity.score(MODEL, texts.get(i), 1);
      assertEquals(alone.tokens(), packed[i].tokens(), "text " + i);
      // padding to a longer pass is causal-masked out; what differs is only the shape of the matrix products
      assertEquals(alone.lossSum(), packed[i].lossSum(), 1e-5 * alone.lossSum(), "text " + i);
    }
  }
}
