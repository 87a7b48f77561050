package io.spindle.optim;

import static io.spindle.optim.AdamWTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
  @Test
  void aboveThresholdScalesToMaxNormAndReturnsPreClipNorm() {
    Tensor grads = Tensor.of(new float[] {3f, 4f, 0f, 12f}, 2, 2); // norm 13
    double norm = GradientClipping.clipGlobalNorm(grads, 1.0);
    assertEquals(13.0, norm, 0.0);
    float c = (float) (1.0 / (13.0 + 1e-6));
    assertArrayEquals(new float[] {3f * c, 4f * c, 0f, 12f * c}, grads.toArray(), 0f);
    assertEquals(1.0, GradientClipping.globalNorm(grads), 1e-6, "the clipped norm is maxNorm (less 1e-6 relative)");
  }

  @Test
  void belowThresholdLeavesGradientsUntouched() {
    Tensor grads = Tensor.of(new float[] {0.3f, -0.4f}, 2); // norm 0.5
    float[] before = grads.toArray();
    assertEquals(0.5, GradientClipping.clipGlobalNorm(grads, 1.0), 1e-7);
    assertArrayEquals(before, grads.toArray(), 0f);
    // zero gradients: norm 0, nothing divides by zero
    Tensor zeros = Tensor.zeros(3);
    assertEquals(0.0, GradientClipping.clipGlobalNorm(zeros, 1.0), 0.0);
    assertArrayEquals(new float[3], zeros.toArray(), 0f);
  }

  @Test
  void normIsAccumulatedInDouble() {
    // 2^20 squares of 0.1f: a float running sum stalls (at 2^20 * 0.01 adding 0.01 loses most of its bits, about
    // 1e-3 relative error or worse); a double sum stays within n * 2^-53, about 1e-10 relative
    int n = 1 << 20;
    Tensor grads = Tensor.zeros(n).fillInPlace(0.1f);
    double expected = Math.sqrt(n * ((double) 0.1f * (double) 0.1f));
    assertEquals(expected, GradientClipping.globalNorm(grads), 1e-9 * expected);
    float floatSum = 0;
    for (int i = 0; i < n; i++) {
      floatSum += 0.1f * 0.1f;
    }
    assertTrue(Math.abs(Math.sqrt(floatSum) - expected) > 1e-6 * expected, "a float sum would be visibly off");
  }

  @Test
  void matchesNormOfRandomVector() {
    Random rnd = new Random(9);
    float[] g = new float[100];
    double sum = 0;
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) rnd.nextGaussian();
      sum += (double) g[i] * g[i];
    }
    Tensor grads = Tensor.of(g, 10, 10);
    double norm = GradientClipping.clipGlobalNorm(grads, 2.0);
    assertEquals(Math.sqrt(sum), norm, 1e-9);
    assertEquals(2.0, GradientClipping.globalNorm(grads), 1e-5);
  }

  @Test
  void nonFiniteNormIsReportedAndNothingIsScaled() {
    Tensor grads = Tensor.of(new float[] {1f, Float.NaN, 100f}, 3);
    double norm = GradientClipping.clipGlobalNorm(grads, 1.0);
    assertTrue(Double.isNaN(norm));
    assertArrayEquals(new float[] {1f, Float.NaN, 100f}, grads.toArray(), 0f, "finite gradients stay finite");
    Tensor inf = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 2f}, 2);
    assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGlobalNorm(inf, 1.0), 0.0);
    assertEquals(2f, inf.get(1), 0f);
  }

  @Test
  void badMaxNormRejected() {
    Tensor grads = Tensor.zeros(2);
    assertMessage(() -> GradientClipping.clipGlobalNorm(grads, 0), "clipGlobalNorm", "0.0");
    assertMessage(() -> GradientClipping.clipGlobalNorm(grads, -1), "clipGlobalNorm", "-1.0");
    assertMessage(() -> GradientClipping.clipGlobalNorm(grads, Double.NaN), "clipGlobalNorm", "NaN");
  }
}
