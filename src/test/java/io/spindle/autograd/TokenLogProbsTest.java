package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenLogProbsTest {
  private final Random rnd = new Random(5);

  @Test
  void gradientMatchesFiniteDifferencesIgnoredRowsIncluded() {
    Tensor logits = GradCheck.random(rnd, 2, 3, 5); // (B, T, V): 6 rows
    int[] targets = {4, -1, 0, 2, -1, 3};
    GradCheck.check("tokenLogProbs", (g, v) -> TokenLogProbs.tokenLogProbs(g, v[0], targets, -1), logits);
  }

  /** A value used twice (both terms of a product) gets both contributions. */
  @Test
  void anInputUsedTwiceGetsBothContributions() {
    Tensor logits = GradCheck.random(rnd, 4, 6);
    int[] a = {1, 2, 3, 4};
    int[] b = {5, 0, 3, -1};
    GradCheck.check("tokenLogProbs twice", (g, v) -> Elementwise.mul(g,
        TokenLogProbs.tokenLogProbs(g, v[0], a, -1), TokenLogProbs.tokenLogProbs(g, v[0], b, -1)), logits);
  }

  /** The fused op against its unfused definition: log-softmax, then the target's entry; 0 where ignored. */
  @Test
  void equalsLogSoftmaxAtTheTarget() {
    Tensor logits = GradCheck.random(rnd, 7, 11);
    for (int i = 0; i < logits.size(); i++) {
      logits.set(i, logits.get(i) * 20); // a wide range, where a naive exp would lose precision
    }
    int[] targets = {0, 10, 5, -100, 3, 3, 7};
    Tensor fused = TokenLogProbs.tokenLogProbs(Graph.inference(), Variable.constant(logits), targets, -100).value();
    Tensor unfused = Softmax.logSoftmax(Graph.inference(), Variable.constant(logits)).value();
    for (int r = 0; r < 7; r++) {
      // both round a double result to float once: within a float ulp of values up to ~40 in magnitude
      float expected = targets[r] == -100 ? 0f : unfused.get(r * 11 + targets[r]);
      assertEquals(expected, fused.get(r), 1e-5, "row " + r);
    }
  }

  @Test
  void aTargetOutsideTheVocabularyIsNamed() {
    Variable logits = Variable.constant(Tensor.zeros(2, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenLogProbs.tokenLogProbs(Graph.inference(), logits, new int[] {1, 3}, -1));
    assertEquals("tokenLogProbs: target 3 at row 1 is outside [0, 3) and is not the ignoreIndex -1", e.getMessage());
  }
}
