package io.spindle.metrics;

/** Adding up the statistics vectors of {@link ChrF} and {@link Bleu}. */
public final class Statistics {
  private Statistics() {}

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
