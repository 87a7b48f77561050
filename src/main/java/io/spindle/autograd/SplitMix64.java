package io.spindle.autograd;

/**
 * SplitMix64 (Steele, Lea and Flood 2014), the one counter-based generator of Spindle's random draws: output i of a
 * stream whose state starts at {@code key} is {@code mix(key + (i + 1) * GAMMA)}, exactly the stream of
 * {@code new java.util.SplittableRandom(key)}. A pure function of (key, i), so a draw is the same on any thread, in
 * any run and on any machine: dropout masks are recomputed from their seed rather than stored, and seeds are derived
 * from the coordinates of a draw ({@code io.spindle.nn.Seeds}).
 */
public final class SplitMix64 {
  /** The stream's increment, the odd integer nearest 2^64 / golden ratio. */
  public static final long GAMMA = 0x9E3779B97F4A7C15L;

  private SplitMix64() {}

  /** The output function, a bijective 64-bit scramble (Stafford's "Mix13" variant of MurmurHash3's finaliser). */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Output {@code i} of the stream of {@code key}, its top 53 bits read as a fraction in [0, 1). */
  public static double uniform(long key, long i) {
    return (mix(key + (i + 1) * GAMMA) >>> 11) * 0x1.0p-53;
  }
}
