package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {
  /** A tiny model: a rank-2 weight (decays), a rank-1 bias and a rank-0 gain (neither decays). */
  static Parameters tinyModel(Random rnd) {
    Parameters params = Parameters.builder().add("w", 2, 3).add("b", 3).add("g").build();
    for (int i = 0; i < params.count(); i++) {
      params.values().set(i, (float) rnd.nextGaussian());
    }
    return params;
  }

  static void randomGradients(Parameters params, Random rnd) {
    for (int i = 0; i < params.count(); i++) {
      params.grads().set(i, (float) rnd.nextGaussian());
    }
  }

  @Test
  void matchesDoublePrecisionReference() {
    Random rnd = new Random(7);
    Parameters params = tinyModel(rnd);
    int n = params.count();
    AdamW.Config config = new AdamW.Config(0.9, 0.95, 1e-8, 0.1);
    AdamW adam = new AdamW(config, params);
    boolean[] decays = new boolean[n];
    for (int i = 0; i < 6; i++) {
      decays[i] = true; // "w" occupies [0, 6)
    }
    double[] p = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = params.values().get(i);
    }
    double[] rates = {1e-2, 3e-2, 2e-2, 5e-3, 1e-1};
    for (int t = 1; t <= rates.length; t++) {
      randomGradients(params, rnd);
      double lr = rates[t - 1];
      adam.step(params, lr);
      for (int i = 0; i < n; i++) {
        // reference: decoupled decay, then Adam with bias correction and eps added to sqrt(v-hat)
        double g = params.grads().get(i);
        if (decays[i]) {
          p[i] *= 1 - lr * 0.1;
        }
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.95 * v[i] + 0.05 * g * g;
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.95, t));
        p[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
        // float32 arithmetic on values of order 1 over a few steps: a few ulps, far below an update (>= 5e-3 * 0.1)
        assertEquals(p[i], params.values().get(i), 2e-6, "step " + t + ", element " + i);
      }
    }
    assertEquals(rates.length, adam.stepCount());
    OptimizerState state = adam.state();
    for (int i = 0; i < n; i++) {
      assertEquals(m[i], state.buffer(0)[i], 1e-6, "m " + i);
      assertEquals(v[i], state.buffer(1)[i], 1e-6, "v " + i);
    }
  }

  @Test
  void onlyMatricesDecay() {
    Parameters params = tinyModel(new Random(3));
    float[] before = params.values().toArray();
    AdamW adam = new AdamW(AdamW.Config.defaults().withWeightDecay(0.5), params);
    // zero gradients: the Adam update is exactly 0, so only weight decay moves anything
    for (int t = 0; t < 3; t++) {
      adam.step(params, 0.1);
    }
    float factor = (float) (1 - 0.1 * 0.5);
    float[] after = params.values().toArray();
    for (int i = 0; i < 6; i++) {
      assertEquals(before[i] * factor * factor * factor, after[i], 0f, "weight " + i + " decays");
      assertTrue(Math.abs(after[i]) < Math.abs(before[i]));
    }
    for (int i = 6; i < 10; i++) {
      assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "bias/gain " + i);
    }
  }

  @Test
  void decayMaskFollowsRank() {
    Parameters params = Parameters.builder().add("wte", 4, 2).add("ln.weight", 2).add("ln.bias", 2)
        .add("attn.weight", 2, 2).add("attn.proj", 2, 1, 1).add("attn.bias", 2).build();
    WeightDecayMask mask = WeightDecayMask.matricesOnly(params);
    assertEquals(params.count(), mask.size());
    assertEquals(8 + 4 + 2, mask.decayedCount());
    boolean[] expected = new boolean[params.count()];
    for (String name : params.names()) {
      int offset = params.offsetOf(name);
      for (int i = 0; i < params.get(name).value().size(); i++) {
        expected[offset + i] = params.get(name).value().rank() >= 2;
      }
    }
    for (int i = 0; i < params.count(); i++) {
      assertEquals(expected[i], mask.decays(i), "element " + i);
    }
    assertEquals(0, WeightDecayMask.none(5).decayedCount());
    assertEquals(5, WeightDecayMask.all(5).decayedCount());
    assertThrows(IllegalArgumentException.class, () -> mask.decays(params.count()));
  }

  @Test
  void plainMaskOverFlatTensors() {
    // the same update through the flat-tensor entry point and an explicit mask equals the Parameters one
    Random rnd = new Random(11);
    Parameters a = tinyModel(rnd);
    randomGradients(a, rnd);
    Tensor values = a.values().copy();
    Tensor grads = a.grads().copy();
    AdamW.Config config = AdamW.Config.defaults().withBetas(0.9, 0.95).withWeightDecay(0.1);
    new AdamW(config, a).step(a, 1e-2);
    new AdamW(config, WeightDecayMask.matricesOnly(a)).step(values, grads, 1e-2);
    for (int i = 0; i < a.count(); i++) {
      assertEquals(a.values().get(i), values.get(i), 0f);
    }
    assertEquals(a.grads().get(0), grads.get(0), 0f, "gradients are read, not changed");
  }

  @Test
  void betaAtOrAboveHalfUsesLerpsOtherForm() {
    // beta1 = 0.3: lerp weight 0.7 >= 0.5; the moment must still be beta1*m + (1-beta1)*g
    Parameters params = Parameters.builder().add("b", 4).build();
    AdamW adam = new AdamW(new AdamW.Config(0.3, 0.5, 1e-8, 0), params);
    double[] m = new double[4];
    Random rnd = new Random(5);
    for (int t = 0; t < 4; t++) {
      randomGradients(params, rnd);
      adam.step(params, 1e-3);
      for (int i = 0; i < 4; i++) {
        m[i] = 0.3 * m[i] + 0.7 * params.grads().get(i);
      }
    }
    float[] actual = adam.state().buffer(0);
    for (int i = 0; i < 4; i++) {
      assertEquals(m[i], actual[i], 1e-6);
    }
  }

  @Test
  void badConfigsRejected() {
    assertMessage(() -> new AdamW.Config(1.0, 0.999, 1e-8, 0), "beta1", "1.0");
    assertMessage(() -> new AdamW.Config(-0.1, 0.999, 1e-8, 0), "beta1", "-0.1");
    assertMessage(() -> new AdamW.Config(0.9, Double.NaN, 1e-8, 0), "beta2", "NaN");
    assertMessage(() -> new AdamW.Config(0.9, 0.999, 0, 0), "epsilon", "0.0");
    assertMessage(() -> new AdamW.Config(0.9, 0.999, 1e-8, -1e-3), "weightDecay", "-0.001");
    assertMessage(() -> AdamW.Config.defaults().withWeightDecay(Double.POSITIVE_INFINITY), "weightDecay",
        "Infinity");
  }

  @Test
  void badStepsRejected() {
    Parameters params = tinyModel(new Random(1));
    AdamW adam = new AdamW(AdamW.Config.defaults(), params);
    assertMessage(() -> adam.step(params, -1e-3), "AdamW.step", "-0.001");
    assertMessage(() -> adam.step(params, Double.NaN), "AdamW.step", "NaN");
    assertMessage(() -> adam.step(Tensor.zeros(9), Tensor.zeros(10), 1e-3), "AdamW.step", "(9,)");
    assertMessage(() -> adam.step(Tensor.zeros(10), Tensor.zeros(11), 1e-3), "AdamW.step", "(11,)");
    assertEquals(0, adam.stepCount(), "a rejected step changes nothing");
    assertFalse(adam.toString().isEmpty());
  }

  static void assertMessage(Runnable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention " + part);
    }
  }
}
