package io.spindle.metrics;

import io.spindle.data.WordTokenizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-4 (Papineni et al. 2002) against one reference per sentence, without smoothing.
 *
 * <p>Tokens: the words and single punctuation marks of {@link WordTokenizer#split} (case kept), which, like
 * sacreBLEU's {@code 13a} tokenizer, separates punctuation from words; the two rules are not identical, so scores
 * compare between Spindle runs, not with published sacreBLEU numbers. Per sentence the statistics are the hypothesis
 * and reference lengths in tokens and, for n = 1..4, the clipped n-gram matches and the hypothesis' n-grams. A
 * corpus adds them up; its score is {@code 100 * BP * exp(sum_n log(p_n) / 4)} with {@code p_n = matches_n / total_n}
 * and the brevity penalty {@code BP = exp(1 - r / c)} when the hypothesis length c is below the reference length r,
 * else 1. The score is 0 if any p_n is 0 (or has no n-grams). Scores lie in [0, 100], higher is better.
 */
public final class Bleu {
  /** The longest n-gram counted. */
  public static final int MAX_ORDER = 4;
  /** Length of a statistics vector: hypothesis length, reference length, then matches and total for n = 1..4. */
  public static final int STATISTICS = 2 + 2 * MAX_ORDER;

  private Bleu() {}

  /**
   * The statistics of one hypothesis against its reference: {@code [0]} hypothesis tokens, {@code [1]} reference
   * tokens, {@code [2n]} clipped n-gram matches and {@code [2n+1]} hypothesis n-grams for n = 1..4. Null counts as
   * the empty string.
   */
  public static long[] statistics(String hypothesis, String reference) {
    List<String> hyp = WordTokenizer.split(hypothesis == null ? "" : hypothesis, false);
    List<String> ref = WordTokenizer.split(reference == null ? "" : reference, false);
    long[] stats = new long[STATISTICS];
    stats[0] = hyp.size();
    stats[1] = ref.size();
    for (int n = 1; n <= MAX_ORDER; n++) {
      Map<List<String>, Integer> hypGrams = ngrams(hyp, n);
      Map<List<String>, Integer> refGrams = ngrams(ref, n);
      long matches = 0;
      for (Map.Entry<List<String>, Integer> e : hypGrams.entrySet()) {
        matches += Math.min(e.getValue(), refGrams.getOrDefault(e.getKey(), 0));
      }
      stats[2 * n] = matches;
      stats[2 * n + 1] = Math.max(0, hyp.size() - n + 1);
    }
    return stats;
  }

  /** The score of (summed) statistics, in [0, 100]. */
  public static double score(long[] statistics) {
    if (statistics.length != STATISTICS) {
      throw new IllegalArgumentException("BLEU: statistics must have " + STATISTICS + " entries, got "
          + statistics.length);
    }
    long hypLength = statistics[0];
    long refLength = statistics[1];
    double logPrecisions = 0;
    for (int n = 1; n <= MAX_ORDER; n++) {
      long matches = statistics[2 * n];
      long total = statistics[2 * n + 1];
      if (matches == 0 || total == 0) {
        return 0;
      }
      logPrecisions += Math.log((double) matches / total);
    }
    double brevity = hypLength < refLength ? Math.exp(1 - (double) refLength / hypLength) : 1;
    return 100 * brevity * Math.exp(logPrecisions / MAX_ORDER);
  }

  /** The corpus score of hypotheses against references, pair by pair (equal sizes). */
  public static double corpusScore(List<String> hypotheses, List<String> references) {
    return score(Statistics.corpusTotal("BLEU", hypotheses, references, STATISTICS, Bleu::statistics));
  }

  private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int i = 0; i + n <= tokens.size(); i++) {
      counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
    }
    return counts;
  }
}
