package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SinusoidalPositionsTest {
  @Test
  void valuesFollowThePapersFormula() {
    int length = 50;
    int d = 16;
    Tensor pe = SinusoidalPositions.table(length, d);
    assertTrue(pe.hasShape(length, d));
    for (int pos = 0; pos < length; pos++) {
      for (int i = 0; i < d / 2; i++) {
        double angle = pos / Math.pow(10000, 2.0 * i / d);
        assertEquals(Math.sin(angle), pe.get(pos * d + 2 * i), 1e-6, "PE(" + pos + ", " + 2 * i + ")");
        assertEquals(Math.cos(angle), pe.get(pos * d + 2 * i + 1), 1e-6, "PE(" + pos + ", " + (2 * i + 1) + ")");
      }
    }
  }

  @Test
  void knownValues() {
    Tensor pe = SinusoidalPositions.table(3, 4);
    // position 0: sin 0 = 0, cos 0 = 1 in every pair
    assertEquals(0f, pe.get(0));
    assertEquals(1f, pe.get(1));
    assertEquals(0f, pe.get(2));
    assertEquals(1f, pe.get(3));
    // position 2, pair 0 (rate 1): sin 2, cos 2; pair 1 (rate 1/100): sin 0.02, cos 0.02
    assertEquals(0.9092974f, pe.get(8), 1e-7);
    assertEquals(-0.41614684f, pe.get(9), 1e-7);
    assertEquals(0.019998667f, pe.get(10), 1e-7);
    assertEquals(0.99980001f, pe.get(11), 1e-7);
  }

  @Test
  void oddWidthRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SinusoidalPositions.table(4, 5));
    assertTrue(e.getMessage().contains("even"), e.getMessage());
  }
}
