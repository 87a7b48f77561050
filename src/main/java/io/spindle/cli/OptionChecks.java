package io.spindle.cli;

import io.spindle.data.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Range checks of command-line options, each throwing a {@link BadInputException} that names the option,
 * the allowed range and the value given, and the choice of an enum constant by name. Floating-point values arrive
 * finite ({@link Main} refuses NaN and infinities while parsing), so the checks need only compare.
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

  /**
   * The constant of {@code type} named {@code value}, ignoring case; any other value is refused with an
   * {@link IllegalArgumentException} that lists the names.
   */
  static <E extends Enum<E>> E choice(Class<E> type, String option, String value) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException(option + " must be one of " + Arrays.stream(type.getEnumConstants())
        .map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ", got '" + value + "'");
  }
}
