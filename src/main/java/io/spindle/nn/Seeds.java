package io.spindle.nn;

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
      s = mix(s ^ mix(0x9E3779B97F4A7C15L * (k + 1)));
    }
    return s;
  }

  /** The seed of dropout site {@code site} (e.g. layer * 8 + slot) within a pass seeded {@code seed}. */
  static long site(long seed, int site) {
    return derive(seed, site);
  }

  /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
