package io.spindle.ml;

import java.util.SplittableRandom;

/**
 * The tests' synthetic three-class text: class c writes words of the letters {abcd, efgh, ijkl}[c], with one
 * character in six drawn from all twelve, 4 to 13 characters with a space after every fourth letter.
 */
public final class ThreeAlphabets {
  private static final String[] ALPHABETS = {"abcd", "efgh", "ijkl"};
  private static final String ALL = "abcdefghijkl";

  private ThreeAlphabets() {}

  /** One text of class {@code label} (0, 1 or 2), drawn from {@code r}. */
  public static String text(SplittableRandom r, int label) {
    StringBuilder s = new StringBuilder();
    int length = 4 + r.nextInt(10);
    for (int t = 0; t < length; t++) {
      String from = r.nextInt(6) == 0 ? ALL : ALPHABETS[label];
      s.append(t % 5 == 4 ? ' ' : from.charAt(r.nextInt(from.length())));
    }
    return s.toString();
  }
}
