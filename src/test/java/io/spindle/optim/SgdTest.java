package io.spindle.optim;

import static io.spindle.optim.AdamWTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SgdTest {
  /** Runs {@code steps} steps of SGD and of a double reference (PyTorch's formulas), comparing every step. */
  private static void checkAgainstReference(double momentum, boolean nesterov) {
    Random rnd = new Random(13);
    int n = 7;
    Tensor values = Tensor.zeros(n);
    Tensor grads = Tensor.zeros(n);
    double[] p = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      values.set(i, (float) rnd.nextGaussian());
      p[i] = values.get(i);
    }
    Sgd sgd = new Sgd(new Sgd.Config(momentum, nesterov), n);
    double[] rates = {0.1, 0.05, 0.2, 0.1, 0.01, 0.3};
    for (int t = 0; t < rates.length; t++) {
      for (int i = 0; i < n; i++) {
        grads.set(i, (float) rnd.nextGaussian());
      }
      sgd.step(values, grads, rates[t]);
      for (int i = 0; i < n; i++) {
        double g = grads.get(i);
        double d = g;
        if (momentum != 0) {
          b[i] = t == 0 ? g : momentum * b[i] + g;
          d = nesterov ? g + momentum * b[i] : b[i];
        }
        p[i] -= rates[t] * d;
        assertEquals(p[i], values.get(i), 2e-6, "momentum " + momentum + " nesterov " + nesterov + ", step " + t
            + ", element " + i);
      }
    }
    assertEquals(rates.length, sgd.stepCount());
  }

  @Test
  void plainMatchesReference() {
    checkAgainstReference(0, false);
  }

  @Test
  void momentumMatchesReference() {
    checkAgainstReference(0.9, false);
  }

  @Test
  void nesterovMatchesReference() {
    checkAgainstReference(0.9, true);
  }

  @Test
  void momentumKnownValues() {
    // g = 1 every step, lr 1, momentum 0.5: buffers 1, 1.5, 1.75; p = -1, -2.5, -4.25 (all exact in float)
    Tensor values = Tensor.zeros(1);
    Tensor grads = Tensor.of(new float[] {1f}, 1);
    Sgd sgd = new Sgd(new Sgd.Config(0.5, false), 1);
    float[] expected = {-1f, -2.5f, -4.25f};
    for (float e : expected) {
      sgd.step(values, grads, 1.0);
      assertEquals(e, values.get(0), 0f);
    }
    assertEquals(1.75f, sgd.state().buffer(0)[0], 0f);
  }

  @Test
  void noMomentumMeansNoState() {
    Sgd sgd = new Sgd(Sgd.Config.plain(), 4);
    assertEquals(0, sgd.state().bufferCount());
    assertEquals(4, sgd.state().length());
  }

  @Test
  void badInputRejected() {
    assertMessage(() -> new Sgd.Config(1.0, false), "momentum", "1.0");
    assertMessage(() -> new Sgd.Config(-0.5, false), "momentum", "-0.5");
    assertMessage(() -> new Sgd.Config(0, true), "Nesterov");
    assertMessage(() -> new Sgd(Sgd.Config.plain(), -1), "Sgd", "-1");
    Sgd sgd = new Sgd(new Sgd.Config(0.9, false), 3);
    assertMessage(() -> sgd.step(Tensor.zeros(3), Tensor.zeros(4), 0.1), "Sgd.step", "3 parameters", "(4,)");
    assertMessage(() -> sgd.step(Tensor.zeros(3), Tensor.zeros(3), Double.POSITIVE_INFINITY), "Sgd.step",
        "Infinity");
  }
}
