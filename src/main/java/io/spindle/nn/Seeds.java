package io.spindle.nn;

/**
 * Derives independent dropout seeds for each dropout site of a forward pass from one pass seed, so a pass is a pure
 * function of its seed (a retried Spark task redraws the same masks).
 */
final class Seeds {
  private Seeds() {}

  /** The seed of dropout site {@code site} (e.g. layer * 8 + slot) within a pass seeded {@code seed}. */
  static long site(long seed, int site) {
    return mix(seed ^ mix(0x9E3779B97F4A7C15L * (site + 1)));
  }

  /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
