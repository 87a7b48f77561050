package io.spindle.nn;

import io.spindle.autograd.SplitMix64;

/**
 * Derives independent seeds from a root seed and a path of integers (step, partition, micro-batch, dropout site...),
 * so every random draw of training is a pure function of its coordinates: a retried Spark task, a resumed run or a
 * different partitioning redraws exactly the same numbers.
 */
public final class Seeds {
  private Seeds() {}

  /** The seed at {@code keys} below {@code seed}: {@code derive(s, a, b) == derive(derive(s, a), b)}. */
  public static long derive(long seed, long... keys) {
    long s = seed;
    for (long k : keys) {
      s = SplitMix64.mix(s ^ SplitMix64.mix(SplitMix64.GAMMA * (k + 1)));
    }
    return s;
  }

  /** The seed of dropout site {@code site} (e.g. layer * 8 + slot) within a pass seeded {@code seed}. */
  static long site(long seed, int site) {
    return derive(seed, site);
  }
}
