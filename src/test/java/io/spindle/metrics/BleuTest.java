package io.spindle.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Corpus BLEU-4 against values worked out by hand; 1e-9 allows for double rounding of a few logs and roots. */
class BleuTest {
  private static final double EXACT = 1e-9;

  @Test
  void oneSentenceByHand() {
    // hyp: the cat sat on the mat / ref: the cat sat on a mat (6 tokens each, so no brevity penalty).
    // 1-grams: "the" clipped to 1, cat, sat, on, mat: 5/6. 2-grams: the cat, cat sat, sat on (of 5): 3/5.
    // 3-grams: the cat sat, cat sat on (of 4): 2/4. 4-grams: the cat sat on (of 3): 1/3.
    // BLEU = (5/6 * 3/5 * 1/2 * 1/3)^(1/4) = (1/12)^(1/4).
    assertEquals(100 * Math.pow(1.0 / 12, 0.25),
        Bleu.corpusScore(List.of("the cat sat on the mat"), List.of("the cat sat on a mat")), EXACT);
  }

  @Test
  void shortHypothesesPayTheBrevityPenalty() {
    // Every n-gram of "the cat sat on" is in the reference: precisions 1; c = 4, r = 6: BP = exp(1 - 6/4).
    assertEquals(100 * Math.exp(-0.5),
        Bleu.corpusScore(List.of("the cat sat on"), List.of("the cat sat on the mat")), EXACT);
    // A longer hypothesis is not rewarded: c = 7 > r = 6, BP = 1; precisions 6/7, 5/6, 4/5, 3/4.
    assertEquals(100 * Math.pow(6.0 / 7 * 5.0 / 6 * 4.0 / 5 * 3.0 / 4, 0.25),
        Bleu.corpusScore(List.of("the cat sat on the mat ."), List.of("the cat sat on the mat")), EXACT);
  }

  @Test
  void corpusStatisticsAreSummedAndPunctuationIsAToken() {
    // "Hallo, Welt!" is 4 tokens: Hallo , Welt !
    assertArrayEquals(new long[] {4, 4, 4, 4, 3, 3, 2, 2, 1, 1}, Bleu.statistics("Hallo, Welt!", "Hallo, Welt!"));
    // Sentence 1 as in oneSentenceByHand, sentence 2 identical (5 tokens): sums 1-grams 5+5 of 6+5, 2-grams 3+4
    // of 5+4, 3-grams 2+3 of 4+3, 4-grams 1+2 of 3+2; lengths 11 and 11.
    double expected = 100 * Math.pow(10.0 / 11 * 7.0 / 9 * 5.0 / 7 * 3.0 / 5, 0.25);
    assertEquals(expected, Bleu.corpusScore(List.of("the cat sat on the mat", "a b c d e"),
        List.of("the cat sat on a mat", "a b c d e")), EXACT);
  }

  @Test
  void noFourGramMatchScoresZero() {
    assertEquals(0, Bleu.corpusScore(List.of("the cat sat"), List.of("the cat sat")), EXACT); // no 4-grams at all
    assertEquals(0, Bleu.corpusScore(List.of("a b c d"), List.of("a b c e")), EXACT);
    assertEquals(0, Bleu.corpusScore(List.of(""), List.of("a b c d")), EXACT);
    assertThrows(IllegalArgumentException.class, () -> Bleu.score(new long[4]));
  }
}
