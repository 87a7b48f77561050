package io.spindle.plot;

import java.awt.Color;
import java.awt.image.BufferedImage;

/** Counting pixels of a colour in a drawn chart: the tests' way to see that something was drawn, and where. */
final class Pixels {
  private Pixels() {}

  /** Pixels in the rectangle [x0, x1) x [y0, y1) within {@code tolerance} of {@code colour} in every channel. */
  static int count(BufferedImage image, Color colour, int tolerance, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        Color c = new Color(image.getRGB(x, y));
        if (Math.abs(c.getRed() - colour.getRed()) <= tolerance
            && Math.abs(c.getGreen() - colour.getGreen()) <= tolerance
            && Math.abs(c.getBlue() - colour.getBlue()) <= tolerance) {
          n++;
        }
      }
    }
    return n;
  }

  /** {@link #count} over the whole image. */
  static int count(BufferedImage image, Color colour, int tolerance) {
    return count(image, colour, tolerance, 0, 0, image.getWidth(), image.getHeight());
  }
}
