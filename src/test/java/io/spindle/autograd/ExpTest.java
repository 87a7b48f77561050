package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpTest {

  /** The documented accuracy, 2e-10 relative, over the whole normal range and at the ends. */
  @Test
  void matchesMathExpAcrossTheRange() {
    int n = 200001;
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = -708 + i * (708 + 709.7) / (n - 1);
    }
    double[] x = a.clone();
    Exp.expInPlace(a, n);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double ref = Math.exp(x[i]);
      worst = Math.max(worst, Math.abs(a[i] - ref) / ref);
    }
    assertTrue(worst < 2e-10, "worst relative error " + worst);
  }

  @Test
  void smallArgumentsMatchMathExp() {
    int n = 28001;
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = -1.4 + i * 1e-4;
    }
    double[] x = a.clone();
    Exp.expSmallInPlace(a, n);
    for (int i = 0; i < n; i++) {
      assertEquals(Math.exp(x[i]), a[i], 1e-12 * Math.exp(x[i]), "exp(" + x[i] + ")");
    }
  }

  @Test
  void edgeCases() {
    double[] a = {0, 1, -1, Double.NEGATIVE_INFINITY, -1e6, 710, Double.POSITIVE_INFINITY, Double.NaN, 1e-300};
    Exp.expInPlace(a, a.length);
    assertEquals(1.0, a[0], 0);
    assertEquals(Math.E, a[1], 2e-9 * Math.E);
    assertEquals(1 / Math.E, a[2], 2e-9 / Math.E);
    assertEquals(Math.exp(Exp.LOWEST), a[3], 1e-9 * Math.exp(Exp.LOWEST)); // clamped, not a denormal
    assertEquals(Math.exp(Exp.LOWEST), a[4], 1e-9 * Math.exp(Exp.LOWEST));
    assertEquals(Double.POSITIVE_INFINITY, a[5], 0);
    assertEquals(Double.POSITIVE_INFINITY, a[6], 0);
    assertTrue(Double.isNaN(a[7]));
    assertEquals(1.0, a[8], 0);
    assertTrue((float) a[3] == 0f, "rounds to float 0");
  }
}
