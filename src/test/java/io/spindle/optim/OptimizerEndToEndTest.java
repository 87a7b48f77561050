package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Elementwise;
import io.spindle.autograd.Graph;
import io.spindle.autograd.MatMul;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reductions;
import io.spindle.autograd.Variable;
import io.spindle.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The whole loop of {@link Optimizer}'s order of use on a linear regression built from autograd ops. */
class OptimizerEndToEndTest {
  private static final int N = 64; // rows
  private static final int D = 5; // features

  /** Trains {@code y = x w^T + b} for {@code steps} steps; returns {initial loss, final loss}. */
  private static double[] fit(Function<Parameters, Optimizer> make, LearningRateSchedule schedule, int steps) {
    Random rnd = new Random(21);
    Tensor x = Tensor.zeros(N, D); // (N, D)
    Tensor y = Tensor.zeros(N, 1); // (N, 1)
    float[] trueWeight = {1.5f, -2f, 0.5f, 3f, -1f};
    for (int r = 0; r < N; r++) {
      double target = 0.7;
      for (int c = 0; c < D; c++) {
        float v = (float) rnd.nextGaussian();
        x.set(r * D + c, v);
        target += trueWeight[c] * v;
      }
      y.set(r, (float) target);
    }
    Parameters params = Parameters.builder().add("weight", 1, D).add("bias", 1).build();
    Optimizer optimizer = make.apply(params);
    Graph g = Graph.training();
    double first = Double.NaN;
    double last = Double.NaN;
    for (int s = 0; s < steps; s++) {
      params.zeroGrad();
      Variable pred = MatMul.linear(g, Variable.constant(x), params.get("weight"), params.get("bias")); // (N, 1)
      Variable err = Elementwise.sub(g, pred, Variable.constant(y)); // (N, 1)
      Variable loss = Reductions.mean(g, Elementwise.mul(g, err, err)); // ()
      g.backward(loss);
      last = loss.value().get(0);
      if (s == 0) {
        first = last;
      }
      double norm = GradientClipping.clipGlobalNorm(params.grads(), 5.0);
      assertTrue(Double.isFinite(norm), "gradient norm at step " + s);
      optimizer.step(params, schedule.rate(optimizer.stepCount()));
      g.reset();
    }
    return new double[] {first, last};
  }

  @Test
  void adamWFitsLinearRegression() {
    AdamW.Config config = AdamW.Config.defaults().withBetas(0.9, 0.95).withWeightDecay(1e-3);
    double[] loss = fit(p -> new AdamW(config, p), new WarmupCosineSchedule(0.1, 1e-3, 20, 400), 400);
    assertTrue(loss[1] * 100 < loss[0], "loss " + loss[0] + " -> " + loss[1]);
  }

  @Test
  void sgdWithMomentumFitsLinearRegression() {
    double[] loss = fit(p -> new Sgd(new Sgd.Config(0.9, false), p.count()), new ConstantSchedule(0.02), 300);
    assertTrue(loss[1] * 100 < loss[0], "loss " + loss[0] + " -> " + loss[1]);
  }
}
