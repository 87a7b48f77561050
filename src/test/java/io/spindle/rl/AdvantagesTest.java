package io.spindle.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdvantagesTest {
  @Test
  void rewardMinusItsGroupsMean() {
    double[] a = Advantages.of(new double[] {1, 2, 3, 10, 10, 40}, 3, false);
    assertArrayEquals(new double[] {-1, 0, 1, -10, -10, 20}, a, 1e-12);
  }

  /** 0.1 + 0.1 + 0.1 is not 0.3 in double, so a plain mean would leave advantages of about 1e-17. */
  @Test
  void equalRewardsGiveExactlyZero() {
    for (boolean normalize : new boolean[] {false, true}) {
      for (double r : Advantages.of(new double[] {0.1, 0.1, 0.1, 0.7, 0.7, 0.7}, 3, normalize)) {
        assertEquals(0.0, r);
      }
    }
  }

  @Test
  void normalizedAdvantagesHaveUnitStandardDeviation() {
    double[] a = Advantages.of(new double[] {0, 1, 0, 1, 5, 5, 5, 9}, 4, true);
    for (int g = 0; g < 2; g++) {
      double sum = 0;
      double squares = 0;
      for (int i = 4 * g; i < 4 * g + 4; i++) {
        sum += a[i];
        squares += a[i] * a[i];
      }
      assertEquals(0, sum, 1e-12);
      // divided by std + 1e-6: within 1e-5 of unit variance for stds of 0.5 and 1.7
      assertEquals(1, squares / 4, 1e-5);
    }
  }
}
