package io.spindle.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeatmapTest {
  static final Color DARK = new Color(0x08306b);

  @Test
  void theLargestValueIsDarkestAndRowZeroIsAtTheTop() {
    // one dark cell, row 0 column 2 (top right); everything else 0 (white)
    BufferedImage image = Heatmap.of(new double[][] {{0, 0, 1}, {0, 0, 0}, {0, 0, 0}}).draw(400, 400);
    int dark = Pixels.count(image, DARK, 8);
    assertTrue(dark > 2000, "one dark cell of a 3x3 grid: " + dark + " pixels");
    int w = image.getWidth();
    int h = image.getHeight();
    // the colour legend on the right is dark only at its top, so the dark pixels are all in the top right quadrant
    int left = Pixels.count(image, DARK, 8, 0, 0, w / 2, h);
    int bottom = Pixels.count(image, DARK, 8, 0, h / 2, w, h);
    assertTrue(left == 0 && bottom == 0, "dark pixels in the left half: " + left + ", bottom half: " + bottom);
  }

  @Test
  void labelsAndCellTextMustFitTheMatrix() {
    Heatmap h = Heatmap.of(new float[][] {{0.5f, 0.5f, 0f}});
    assertThrows(IllegalArgumentException.class, () -> h.withRowLabels(List.of("a", "b")));
    assertThrows(IllegalArgumentException.class, () -> h.withColumnLabels(List.of("a", "b")));
    assertThrows(IllegalArgumentException.class, () -> h.withCellText(new String[][] {{"1", "2"}}));
    assertThrows(IllegalArgumentException.class, () -> Heatmap.of(new double[][] {{1, 2}, {3}}));
    assertThrows(IllegalArgumentException.class, () -> Heatmap.of(new double[0][0]));
    BufferedImage image = h.withRowLabels(List.of("q")).withColumnLabels(List.of("a", "b", "c"))
        .withCellText(new String[][] {{"x", "y", ""}}).withTitle("t").draw(300, 200);
    assertEquals(300, image.getWidth());
  }

  @Test
  void confusionMatrixCountsLabelsAgainstPredictions() {
    long[][] counts = ConfusionMatrixChart.count(new int[] {0, 0, 1, 2, 2, 2}, new int[] {0, 1, 1, 2, 2, 0}, 3);
    assertArrayEquals(new long[] {1, 1, 0}, counts[0]);
    assertArrayEquals(new long[] {0, 1, 0}, counts[1]);
    assertArrayEquals(new long[] {1, 0, 2}, counts[2]);
    assertThrows(IllegalArgumentException.class, () -> ConfusionMatrixChart.count(new int[] {3}, new int[] {0}, 3));
    BufferedImage image = ConfusionMatrixChart.draw("c", counts, List.of("a", "b", "c"), 500, 400);
    // class b is always right: its diagonal cell has share 1, the darkest colour
    assertTrue(Pixels.count(image, DARK, 8) > 1000);
  }
}
