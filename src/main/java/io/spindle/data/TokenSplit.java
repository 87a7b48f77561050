package io.spindle.data;

import java.util.Arrays;

/**
 * A token stream cut in two: the first part for training, the last {@code validationFraction} for validation (no
 * shuffling, so validation text is text the model has not seen, as in nanoGPT's 90/10 split).
 *
 * <p>The arrays are copies of the stream's ranges. Equality compares contents.
 */
public record TokenSplit(int[] train, int[] validation) {
  /**
   * Splits {@code tokens}: validation is the last {@code floor(n * validationFraction)} tokens. Throws
   * {@link IllegalArgumentException} unless {@code 0 <= validationFraction < 1}.
   */
  public static TokenSplit of(int[] tokens, double validationFraction) {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("TokenSplit: validation fraction must be in [0, 1), got "
          + validationFraction);
    }
    int validation = (int) Math.floor(tokens.length * validationFraction);
    int cut = tokens.length - validation;
    return new TokenSplit(Arrays.copyOfRange(tokens, 0, cut), Arrays.copyOfRange(tokens, cut, tokens.length));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenSplit other && Arrays.equals(train, other.train)
        && Arrays.equals(validation, other.validation);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(train) + Arrays.hashCode(validation);
  }

  @Override
  public String toString() {
    return "TokenSplit(train=" + train.length + " tokens, validation=" + validation.length + " tokens)";
  }
}
