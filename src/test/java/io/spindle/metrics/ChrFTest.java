package io.spindle.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * chrF against values worked out by hand (the arithmetic is in the comments) and against a brute-force count that
 * pairs n-grams one by one instead of clipping counts. Tolerances of 1e-9 are double rounding of a few divisions.
 */
class ChrFTest {
  private static final double EXACT = 1e-9;

  @Test
  void oneSentenceByHand() {
    // "ab c" vs "abd": whitespace removed, "abc" vs "abd".
    // n=1: a b c / a b d, 2 matches: P = R = 2/3. n=2: ab bc / ab bd, 1 match: P = R = 1/2.
    // n=3: abc / abd, 0 matches: P = R = 0. n >= 4: no hypothesis n-grams, not counted (effective order 3).
    // P = R = (2/3 + 1/2 + 0) / 3 = 7/18; F2 = 5PR / (4P + R) = 7/18.
    assertEquals(100 * 7.0 / 18, ChrF.corpusScore(List.of("ab c"), List.of("abd")), EXACT);
  }

  @Test
  void recallWeighsMoreThanPrecision() {
    // "aa" vs "aab": n=1: 2 of 2 hypothesis unigrams match, 2 of 3 reference ones: P = 1, R = 2/3.
    // n=2: "aa" / "aa" "ab": P = 1, R = 1/2. n >= 3: no hypothesis n-grams. P = 1, R = 7/12.
    // F2 = 5 * 7/12 / (4 + 7/12) = 35/55 = 7/11.
    assertEquals(100 * 7.0 / 11, ChrF.corpusScore(List.of("aa"), List.of("aab")), EXACT);
    // swapped: P = 7/12, R = 1: F2 = 5 * 7/12 / (4 * 7/12 + 1) = 35/40 = 7/8, higher: missing text costs more.
    assertEquals(100 * 7.0 / 8, ChrF.corpusScore(List.of("aab"), List.of("aa")), EXACT);
  }

  @Test
  void corpusScoreSumsStatisticsBeforeScoring() {
    // Both sentences above: n=1: hyp 3+2, ref 3+3, matches 2+2: P = 4/5, R = 2/3.
    // n=2: hyp 2+1, ref 2+2, matches 1+1: P = 2/3, R = 1/2. n=3: hyp 1+0, ref 1+1, 0 matches: P = R = 0.
    // P = (4/5 + 2/3) / 3 = 22/45, R = (2/3 + 1/2) / 3 = 7/18.
    double p = 22.0 / 45;
    double r = 7.0 / 18;
    double corpus = ChrF.corpusScore(List.of("ab c", "aa"), List.of("abd", "aab"));
    assertEquals(100 * 5 * p * r / (4 * p + r), corpus, EXACT);
    assertNotEquals((100 * 7.0 / 18 + 100 * 7.0 / 11) / 2, corpus, 1e-3); // not the mean of sentence scores
  }

  @Test
  void codePointsAreCharactersAndWhitespaceIsIgnored() {
    // U+1F600 is one character (two UTF-16 units): "😀" vs "😀x": n=1: P = 1, R = 1/2; n=2: no hypothesis bigram.
    // F2 = 5 * 1/2 / (4 + 1/2) = 5/9. Counting UTF-16 units instead would give a bigram match and another value.
    assertEquals(100 * 5.0 / 9, ChrF.corpusScore(List.of("😀"), List.of("😀x")), EXACT);
    assertEquals(100, ChrF.corpusScore(List.of(" Grüße,\twelt\n"), List.of("Grüße, welt")), EXACT);
    assertEquals(100, ChrF.corpusScore(List.of("a\u00a0b"), List.of("ab")), EXACT); // no-break space is space
  }

  @Test
  void edgeCases() {
    assertEquals(0, ChrF.corpusScore(List.of(""), List.of("abc")), EXACT);
    assertEquals(0, ChrF.corpusScore(List.of("xyz"), List.of("abc")), EXACT);
    assertEquals(0, ChrF.corpusScore(List.of(), List.of()), EXACT);
    assertEquals(ChrF.score(ChrF.statistics("", "ab")), ChrF.score(ChrF.statistics(null, "ab")), EXACT);
    assertThrows(IllegalArgumentException.class, () -> ChrF.corpusScore(List.of("a"), List.of()));
    assertThrows(IllegalArgumentException.class, () -> ChrF.score(new long[3]));
  }

  @Test
  void statisticsMatchABruteForceCount() {
    SplittableRandom random = new SplittableRandom(4);
    for (int trial = 0; trial < 200; trial++) {
      String hyp = randomText(random);
      String ref = randomText(random);
      long[] stats = ChrF.statistics(hyp, ref);
      String h = hyp.replace(" ", "");
      String r = ref.replace(" ", "");
      for (int n = 1; n <= ChrF.CHAR_ORDER; n++) {
        assertEquals(Math.max(0, h.length() - n + 1), stats[3 * (n - 1)], "hypothesis " + n + "-grams");
        assertEquals(Math.max(0, r.length() - n + 1), stats[3 * (n - 1) + 1], "reference " + n + "-grams");
        assertEquals(pairedMatches(h, r, n), stats[3 * (n - 1) + 2], n + "-gram matches of '" + h + "', '" + r + "'");
      }
    }
  }

  /** Matches by pairing: each hypothesis n-gram takes the first unused equal reference n-gram, if any. */
  private static long pairedMatches(String h, String r, int n) {
    boolean[] used = new boolean[Math.max(0, r.length() - n + 1)];
    long matches = 0;
    for (int i = 0; i + n <= h.length(); i++) {
      for (int j = 0; j + n <= r.length(); j++) {
        if (!used[j] && h.regionMatches(i, r, j, n)) {
          used[j] = true;
          matches++;
          break;
        }
      }
    }
    return matches;
  }

  /** Up to 12 characters over "ab c" (a small alphabet, so n-grams repeat). */
  private static String randomText(SplittableRandom random) {
    List<Character> chars = new ArrayList<>(List.of('a', 'b', ' ', 'c'));
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(13);
    for (int i = 0; i < length; i++) {
      sb.append(chars.get(random.nextInt(chars.size())));
    }
    return sb.toString();
  }
}
