package io.spindle.rl;

/**
 * A completion whose length in characters (code points) lies in {@code [min, max]} scores 1; outside the band the
 * reward falls linearly with the distance d to it, reaching 0 at a distance of the band's width
 * ({@code max - min}, at least 1): {@code max(0, 1 - d / width)}. The prompt is not looked at.
 *
 * @param min the shortest full-reward length, >= 0
 * @param max the longest, >= min
 */
public record LengthBand(int min, int max) implements Reward {
  private static final long serialVersionUID = 1L;

  public LengthBand {
    if (min < 0 || max < min) {
      throw new IllegalArgumentException("length band: need 0 <= min <= max, got " + min + "-" + max);
    }
  }

  @Override
  public double score(String prompt, String completion) {
    int length = completion.codePointCount(0, completion.length());
    int distance = length < min ? min - length : length > max ? length - max : 0;
    return Math.max(0, 1 - (double) distance / Math.max(1, max - min));
  }

  /** The spec {@link Rewards#parse} reads back. */
  @Override
  public String describe() {
    return "length:" + min + "-" + max;
  }

  @Override
  public String toString() {
    return describe();
  }
}
