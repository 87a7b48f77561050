package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Parameters;
import io.spindle.train.TrainingConfig;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A scaled group steps as the wrapped optimizer would at the scaled rate (the reference: the same optimizer run at
 * that rate), the other parameters as at the rate itself; scale 0 freezes to the bit.
 */
class ScaledRatesTest {
  private static final int STEPS = 6;
  private static final double LR = 0.01;

  /** body.* (rank 2 and 1: decayed and not) then a head, values N(0, 1). */
  private static Parameters model(long seed) {
    Parameters p = Parameters.builder().add("body.w", 3, 4).add("body.b", 4).add("head.w", 2, 4).add("head.b", 2)
        .build();
    Random rnd = new Random(seed);
    for (int i = 0; i < p.count(); i++) {
      p.values().set(i, (float) rnd.nextGaussian());
    }
    return p;
  }

  /** STEPS steps of {@code opt} on {@code p} with the same seeded gradients every run, at rate {@code lr}. */
  private static void run(Optimizer opt, Parameters p, double lr) {
    Random rnd = new Random(99);
    for (int s = 0; s < STEPS; s++) {
      for (int i = 0; i < p.count(); i++) {
        p.grads().set(i, (float) rnd.nextGaussian());
      }
      opt.step(p, lr);
    }
  }

  private static void checkAgainstReference(Supplier<Parameters> make,
      java.util.function.Function<Parameters, Optimizer> optimizer, double scale) {
    Parameters scaled = make.get();
    run(new ScaledRates(optimizer.apply(scaled), scaled, new ParameterRateScale("body.", scale)), scaled, LR);
    Parameters slow = make.get();
    run(optimizer.apply(slow), slow, LR * scale);
    Parameters fast = make.get();
    run(optimizer.apply(fast), fast, LR);
    Parameters start = make.get();
    int moved = 0;
    for (String name : scaled.names()) {
      Parameters reference = name.startsWith("body.") ? slow : fast;
      float[] ours = scaled.get(name).value().toArray();
      float[] theirs = reference.get(name).value().toArray();
      float[] before = start.get(name).value().toArray();
      for (int i = 0; i < ours.length; i++) {
        // one extra rounding per step of values of about 1: a few ulps (1.2e-7 each)
        assertEquals(theirs[i], ours[i], 1e-6, name + "[" + i + "]");
        moved += ours[i] != before[i] ? 1 : 0;
      }
    }
    assertEquals(scaled.count(), moved, "every element moved");
  }

  @Test
  void adamWGroupStepsAsAtTheScaledRate() {
    checkAgainstReference(() -> model(1), p -> new AdamW(new AdamW.Config(0.9, 0.95, 1e-8, 0.1), p), 0.3);
  }

  @Test
  void sgdGroupStepsAsAtTheScaledRate() {
    checkAgainstReference(() -> model(2), p -> new Sgd(new Sgd.Config(0.9, false), p.count()), 0.25);
  }

  @Test
  void scaleZeroFreezesTheGroupToTheBit() {
    Parameters p = model(3);
    float[] body = p.get("body.w").value().toArray();
    float[] head = p.get("head.w").value().toArray();
    Optimizer opt = new ScaledRates(new AdamW(AdamW.Config.defaults(), p), p, new ParameterRateScale("body.", 0));
    run(opt, p, LR);
    assertTrue(java.util.Arrays.equals(body, p.get("body.w").value().toArray()));
    assertNotEquals(head[0], p.get("head.w").value().get(0));
    assertEquals(STEPS, opt.stepCount());
  }

  @Test
  void trainingConfigBuildsItAndChecksTheScale() {
    Parameters p = model(4);
    TrainingConfig config = TrainingConfig.builder().rateScale(new ParameterRateScale("body.", 0.1)).build();
    assertInstanceOf(ScaledRates.class, config.newOptimizer(p));
    assertInstanceOf(AdamW.class, TrainingConfig.builder().build().newOptimizer(p));
    assertThrows(IllegalArgumentException.class, () -> new ParameterRateScale("body.", -1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ScaledRates(new AdamW(AdamW.Config.defaults(), p), p, new ParameterRateScale("nope.", 0.5)));
    assertTrue(e.getMessage().contains("no parameter name starts with 'nope.'"), e.getMessage());
  }
}
