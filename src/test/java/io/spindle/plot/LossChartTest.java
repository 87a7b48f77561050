package io.spindle.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class LossChartTest {
  static LossHistory falling(int steps, boolean withTimes) {
    List<LossHistory.Point> train = new java.util.ArrayList<>();
    List<LossHistory.Point> validation = new java.util.ArrayList<>();
    for (int s = 1; s <= steps; s++) {
      double seconds = withTimes ? 0.1 * s : Double.NaN;
      train.add(new LossHistory.Point(s, seconds, 3 / Math.sqrt(s)));
      if (s % 10 == 0) {
        validation.add(new LossHistory.Point(s, seconds, 3.2 / Math.sqrt(s)));
      }
    }
    return new LossHistory(train, validation);
  }

  @Test
  void drawsTrainingAndValidationCurvesInTheirColours() {
    BufferedImage image = LossChart.of(falling(100, true)).draw(640, 400);
    assertEquals(640, image.getWidth());
    assertEquals(400, image.getHeight());
    assertTrue(Pixels.count(image, LossChart.PALETTE[0], 30) > 100, "training curve");
    assertTrue(Pixels.count(image, LossChart.PALETTE[1], 30) > 50, "validation curve");
    assertTrue(Pixels.count(image, LossChart.PALETTE[2], 30) < 10, "no third series");
  }

  @Test
  void drawsOneColourPerRun() {
    BufferedImage image = LossChart.of("a", falling(50, true)).and("b", falling(80, true))
        .withAxis(LossChart.Axis.TIME).draw(640, 400);
    assertTrue(Pixels.count(image, LossChart.PALETTE[0], 30) > 50);
    assertTrue(Pixels.count(image, LossChart.PALETTE[1], 30) > 50);
  }

  @Test
  void drawsAnotherNumberWithItsOwnLabel() {
    LossHistory rising = LossHistory.ofLosses(0.2, 0.3, 0.35, 0.5, 0.6);
    BufferedImage named = LossChart.of(rising).withValueLabel("mean reward").draw(640, 400);
    BufferedImage plain = LossChart.of(rising).draw(640, 400);
    assertTrue(Pixels.count(named, LossChart.PALETTE[0], 30) > 50, "the curve");
    // the same curve; only the axis label and the legend's text differ
    int differing = 0;
    for (int y = 0; y < 400; y++) {
      for (int x = 0; x < 640; x++) {
        differing += named.getRGB(x, y) != plain.getRGB(x, y) ? 1 : 0;
      }
    }
    assertTrue(differing > 0, "the labels differ");
  }

  @Test
  void refusesWhatItCannotDraw() {
    assertThrows(IllegalArgumentException.class,
        () -> LossChart.of(falling(10, false)).withAxis(LossChart.Axis.TIME).draw(640, 400));
    assertThrows(IllegalArgumentException.class,
        () -> LossChart.of(LossHistory.ofLosses(1, 0)).withLogScale(true).draw(640, 400));
    assertThrows(IllegalArgumentException.class, () -> LossChart.of(LossHistory.ofLosses()).draw(640, 400));
    assertThrows(IllegalArgumentException.class, () -> LossChart.of(falling(10, true)).draw(0, 400));
  }
}
