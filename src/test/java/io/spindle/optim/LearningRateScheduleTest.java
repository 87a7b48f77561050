package io.spindle.optim;

import static io.spindle.optim.AdamWTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
  @Test
  void constant() {
    ConstantSchedule s = new ConstantSchedule(3e-4);
    assertEquals(3e-4, s.rate(0), 0.0);
    assertEquals(3e-4, s.rate(1_000_000), 0.0);
  }

  @Test
  void warmupCosineAtKeySteps() {
    // nanoGPT's shakespeare-char settings: lr 1e-3, min 1e-4, warmup 100, decay to 5000
    WarmupCosineSchedule s = new WarmupCosineSchedule(1e-3, 1e-4, 100, 5000);
    assertEquals(1e-3 * 1 / 101, s.rate(0), 1e-18, "step 0 is not zero");
    assertEquals(1e-3 * 50 / 101, s.rate(49), 1e-18);
    assertEquals(1e-3 * 100 / 101, s.rate(99), 1e-18, "warmup - 1");
    assertEquals(1e-3, s.rate(100), 1e-18, "warmup: the peak");
    assertEquals(1e-4 + 0.5 * (1e-3 - 1e-4), s.rate(2550), 1e-15, "halfway through the decay");
    double quarter = 1e-4 + 0.5 * (1 + Math.cos(Math.PI * 0.25)) * (1e-3 - 1e-4);
    assertEquals(quarter, s.rate(100 + 1225), 1e-15, "a quarter of the way");
    assertEquals(1e-4, s.rate(5000), 1e-18, "end of decay");
    assertEquals(1e-4, s.rate(5001), 0.0, "beyond");
    assertEquals(1e-4, s.rate(1_000_000), 0.0);
    for (long t = 101; t <= 5000; t++) {
      assertTrue(s.rate(t) <= s.rate(t - 1), "monotone decay at " + t);
    }
  }

  @Test
  void warmupCosineEdgeCases() {
    WarmupCosineSchedule noWarmup = new WarmupCosineSchedule(1.0, 0.0, 0, 10);
    assertEquals(1.0, noWarmup.rate(0), 0.0);
    assertEquals(0.5, noWarmup.rate(5), 1e-15);
    assertEquals(0.0, noWarmup.rate(10), 1e-16);
    WarmupCosineSchedule noDecay = new WarmupCosineSchedule(1.0, 0.25, 3, 3);
    assertEquals(0.75, noDecay.rate(2), 0.0);
    assertEquals(0.25, noDecay.rate(3), 0.0, "warmup == decay: the floor, where nanoGPT would divide by zero");
  }

  /** The decay paced by another fraction (time): the larger of the two fractions wins; warm-up ignores it. */
  @Test
  void warmupCosinePacedByAFraction() {
    WarmupCosineSchedule s = new WarmupCosineSchedule(1e-3, 1e-4, 10, 110);
    for (long step : new long[] {0, 5, 9, 10, 40, 110, 200}) {
      assertEquals(s.rate(step), s.rate(step, 0), 0.0, "fraction 0 is the step schedule at " + step);
    }
    assertEquals(s.rate(5), s.rate(5, 0.9), 0.0, "warm-up is by steps only");
    assertEquals(s.rate(60), s.rate(20, 0.5), 1e-18, "time half used at step 20 = step 60's rate");
    assertEquals(s.rate(60), s.rate(60, 0.1), 0.0, "the step fraction when it is the larger");
    assertEquals(1e-4, s.rate(11, 1.0), 0.0, "time up: the minimum");
    assertEquals(1e-4, s.rate(11, 3.0), 0.0, "past the limit: still the minimum");
  }

  @Test
  void noamByFormula() {
    int d = 512;
    long warmup = 4000;
    double factor = 2.0;
    NoamSchedule s = new NoamSchedule(d, warmup, factor);
    for (long step : new long[] {0, 1, warmup / 2, warmup - 2, warmup - 1, warmup, 2 * warmup, 100_000}) {
      double n = step + 1;
      double expected = factor * Math.pow(d, -0.5) * Math.min(Math.pow(n, -0.5), n * Math.pow(warmup, -1.5));
      assertEquals(expected, s.rate(step), 1e-15 * expected + 1e-18, "step " + step);
    }
    double peak = factor / Math.sqrt(d * (double) warmup);
    assertEquals(peak, s.rate(warmup - 1), 1e-12 * peak, "peak at paper step n = warmup");
    assertTrue(s.rate(warmup - 2) < peak && s.rate(warmup) < peak);
    assertEquals(factor / Math.sqrt(d) * Math.pow(warmup, -1.5), s.rate(0), 1e-20, "n = 1 on the first step");
  }

  @Test
  void badSchedulesRejected() {
    assertMessage(() -> new ConstantSchedule(-1), "ConstantSchedule", "learningRate", "-1.0");
    assertMessage(() -> new WarmupCosineSchedule(1e-3, 2e-3, 10, 100), "minRate", "exceeds");
    assertMessage(() -> new WarmupCosineSchedule(Double.NaN, 0, 10, 100), "maxRate", "NaN");
    assertMessage(() -> new WarmupCosineSchedule(1e-3, 1e-4, 100, 10), "warmupSteps 100", "decaySteps 10");
    assertMessage(() -> new WarmupCosineSchedule(1e-3, 1e-4, -1, 10), "warmupSteps -1");
    assertMessage(() -> new NoamSchedule(0, 4000, 1), "modelDim 0");
    assertMessage(() -> new NoamSchedule(512, 0, 1), "warmupSteps 0");
    assertMessage(() -> new NoamSchedule(512, 4000, 0), "factor", "0.0");
    assertMessage(() -> new ConstantSchedule(1).rate(-1), "ConstantSchedule.rate", "-1");
    assertMessage(() -> new NoamSchedule(512, 10, 1).rate(-5), "NoamSchedule.rate", "-5");
  }
}
