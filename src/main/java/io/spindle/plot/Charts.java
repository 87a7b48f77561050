package io.spindle.plot;

import java.awt.Color;
import org.jfree.chart.plot.XYPlot;

/** The look every chart of this package shares. */
final class Charts {
  private Charts() {}

  /** White plot area with light grey grid lines, as printed figures have. */
  static void whiteBackground(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    plot.setOutlinePaint(Color.GRAY);
  }
}
