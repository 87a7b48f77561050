package io.spindle.cli;

import io.spindle.data.BadInputException;

/**
 * Range checks of command-line options, each throwing a {@link BadInputException} that names the option,
 * the allowed range and the value given. Floating-point values arrive finite ({@link Main} refuses NaN and
 * infinities while parsing), so the checks need only compare.
 */
final class OptionChecks {
  private OptionChecks() {}

  /** {@code value >= min}. */
  static void atLeast(String option, long value, long min) {
    if (value < min) {
      throw new BadInputException(option + " must be >= " + min + ", got " + value);
    }
  }

  /** {@code value >= min}. */
  static void atLeast(String option, double value, double min) {
    if (!(value >= min)) {
      throw new BadInputException(option + " must be >= " + min + ", got " + value);
    }
  }

  /** {@code value > min}. */
  static void above(String option, double value, double min) {
    if (!(value > min)) {
      throw new BadInputException(option + " must be > " + min + ", got " + value);
    }
  }

  /** {@code min <= value < max}. */
  static void inHalfOpen(String option, double value, double min, double max) {
    if (!(value >= min && value < max)) {
      throw new BadInputException(option + " must be in [" + min + ", " + max + "), got " + value);
    }
  }
}
