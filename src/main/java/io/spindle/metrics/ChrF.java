package io.spindle.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * chrF, the character n-gram F-score (Popović 2015, "chrF: character n-gram F-score for automatic MT evaluation"),
 * as sacreBLEU computes it by default ({@code chrF2}: character order 6, no word n-grams, beta 2, whitespace not
 * counted).
 *
 * <p>Per sentence pair, whitespace (Unicode white space and space separators) is removed from both sides and, for
 * each n in 1..6, the n-grams of code points are counted; the statistics are, per n, the hypothesis' n-grams, the
 * reference's n-grams and the matches (the clipped overlap {@code sum_g min(count_hyp(g), count_ref(g))}). A corpus
 * adds the statistics of its sentences. The score of summed statistics: for each n with both counts positive,
 * {@code P_n = matches / hyp} and {@code R_n = matches / ref}; P and R are their averages over those n (the effective
 * order); {@code chrF = 100 * (1 + beta^2) * P * R / (beta^2 * P + R)}, and 0 when P + R = 0 or no order counts.
 * Scores lie in [0, 100], higher is better.
 */
public final class ChrF {
  /** The longest character n-gram counted. */
  public static final int CHAR_ORDER = 6;
  /** Recall weighs beta times as much as precision. */
  public static final double BETA = 2.0;
  /** Length of a statistics vector: for n = 1..6, hypothesis n-grams, reference n-grams, matches. */
  public static final int STATISTICS = 3 * CHAR_ORDER;

  private ChrF() {}

  /**
   * The statistics of one hypothesis against its reference: {@code [3(n-1)]} hypothesis n-grams, {@code [3(n-1)+1]}
   * reference n-grams, {@code [3(n-1)+2]} matches, for n = 1..6. Null counts as the empty string.
   */
  public static long[] statistics(String hypothesis, String reference) {
    int[] hyp = withoutWhitespace(hypothesis);
    int[] ref = withoutWhitespace(reference);
    long[] stats = new long[STATISTICS];
    for (int n = 1; n <= CHAR_ORDER; n++) {
      Map<String, Integer> hypGrams = ngrams(hyp, n);
      Map<String, Integer> refGrams = ngrams(ref, n);
      long matches = 0;
      for (Map.Entry<String, Integer> e : hypGrams.entrySet()) {
        matches += Math.min(e.getValue(), refGrams.getOrDefault(e.getKey(), 0));
      }
      stats[3 * (n - 1)] = Math.max(0, hyp.length - n + 1);
      stats[3 * (n - 1) + 1] = Math.max(0, ref.length - n + 1);
      stats[3 * (n - 1) + 2] = matches;
    }
    return stats;
  }

  /** The score of (summed) statistics, in [0, 100]. */
  public static double score(long[] statistics) {
    if (statistics.length != STATISTICS) {
      throw new IllegalArgumentException("chrF: statistics must have " + STATISTICS + " entries, got "
          + statistics.length);
    }
    double precision = 0;
    double recall = 0;
    int effectiveOrder = 0;
    for (int n = 0; n < CHAR_ORDER; n++) {
      long hyp = statistics[3 * n];
      long ref = statistics[3 * n + 1];
      long matches = statistics[3 * n + 2];
      if (hyp > 0 && ref > 0) {
        precision += (double) matches / hyp;
        recall += (double) matches / ref;
        effectiveOrder++;
      }
    }
    if (effectiveOrder == 0) {
      return 0;
    }
    precision /= effectiveOrder;
    recall /= effectiveOrder;
    double b2 = BETA * BETA;
    double denominator = b2 * precision + recall;
    return denominator > 0 ? 100 * (1 + b2) * precision * recall / denominator : 0;
  }

  /** The corpus score of hypotheses against references, pair by pair (equal sizes). */
  public static double corpusScore(List<String> hypotheses, List<String> references) {
    return score(Statistics.corpusTotal("chrF", hypotheses, references, STATISTICS, ChrF::statistics));
  }

  /** The code points of {@code text} without white space. */
  private static int[] withoutWhitespace(String text) {
    if (text == null) {
      return new int[0];
    }
    return text.codePoints().filter(cp -> !Character.isWhitespace(cp) && !Character.isSpaceChar(cp)).toArray();
  }

  private static Map<String, Integer> ngrams(int[] codePoints, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i + n <= codePoints.length; i++) {
      counts.merge(new String(codePoints, i, n), 1, Integer::sum);
    }
    return counts;
  }
}
