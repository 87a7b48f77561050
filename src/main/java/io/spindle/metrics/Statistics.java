package io.spindle.metrics;

import java.util.List;
import java.util.function.BiFunction;

/** Adding up the statistics vectors of {@link ChrF} and {@link Bleu}. */
public final class Statistics {
  private Statistics() {}

  /**
   * The sum of {@code statistics(hypothesis, reference)} over the pairs of equal-sized lists, each vector of
   * {@code length} entries: what a corpus score is computed from. {@code metric} names the metric in the error.
   */
  static long[] corpusTotal(String metric, List<String> hypotheses, List<String> references, int length,
      BiFunction<String, String, long[]> statistics) {
    if (hypotheses.size() != references.size()) {
      throw new IllegalArgumentException(metric + ": " + hypotheses.size() + " hypotheses but " + references.size()
          + " references");
    }
    long[] total = new long[length];
    for (int i = 0; i < hypotheses.size(); i++) {
      addInPlace(total, statistics.apply(hypotheses.get(i), references.get(i)));
    }
    return total;
  }

  /** {@code total[i] += part[i]} for every i; returns {@code total}. Lengths must agree. */
  public static long[] addInPlace(long[] total, long[] part) {
    if (total.length != part.length) {
      throw new IllegalArgumentException("statistics of lengths " + total.length + " and " + part.length
          + " cannot be added");
    }
    for (int i = 0; i < total.length; i++) {
      total[i] += part[i];
    }
    return total;
  }
}
