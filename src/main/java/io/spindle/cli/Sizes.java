package io.spindle.cli;

import java.util.Locale;

/** Human-readable amounts for messages: bytes in binary units, counts with thousands separators. */
final class Sizes {
  private Sizes() {}

  /** {@code bytes} as "512 MiB", "1.5 GiB" (one decimal from GiB on), or "123 bytes". */
  static String bytes(double bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int unit = 0;
    double v = bytes;
    while (v >= 1024 && unit < units.length - 1) {
      v /= 1024;
      unit++;
    }
    return unit == 0 ? String.format(Locale.ROOT, "%.0f bytes", v)
        : String.format(Locale.ROOT, unit < 3 ? "%.0f %s" : "%.1f %s", v, units[unit]);
  }

  /** {@code n} with thousands separators: 1,234,567. */
  static String count(double n) {
    return String.format(Locale.ROOT, "%,.0f", n);
  }
}
