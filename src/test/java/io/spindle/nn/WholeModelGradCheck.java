package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;
import io.spindle.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;

/**
 * Whole-model gradient check, as in {@code GptTest}: central differences of a scalar loss with respect to a few
 * random entries of every parameter, against the gradient from one backward pass.
 *
 * <p>Tolerance as in {@code GradCheck}: a float32 loss of O(2) carries rounding of about 2e-7, which divided by
 * 2h = 2e-2 is 1e-5; truncation error h^2/6 f''' is about 2e-5. {@code 2e-3 + 1e-2 |numeric|} leaves room for
 * rounding accumulated through a few layers, while a wrong rule misses by O(1) relative.
 */
public final class WholeModelGradCheck {
  private WholeModelGradCheck() {}

  /**
   * Adds U(-0.25, 0.25) noise to every parameter (so no path starts with a near-zero gradient), then compares
   * {@code probes} entries per parameter. {@code loss} must be deterministic (dropout seeds fixed).
   */
  public static void check(Parameters p, Function<Graph, Variable> loss, Random rnd, int probes) {
    for (int i = 0; i < p.count(); i++) {
      p.values().set(i, p.values().get(i) + (rnd.nextFloat() - 0.5f) * 0.5f);
    }
    Graph g = Graph.training();
    p.zeroGrad();
    g.backward(loss.apply(g));
    double h = 1e-2;
    int nonZero = 0;
    for (String name : p.names()) {
      Tensor w = p.get(name).value();
      Tensor dw = p.get(name).grad();
      for (int probe = 0; probe < probes; probe++) {
        int j = rnd.nextInt(w.size());
        float saved = w.get(j);
        w.set(j, (float) (saved + h));
        double plus = loss.apply(Graph.inference()).value().get(0);
        w.set(j, (float) (saved - h));
        double minus = loss.apply(Graph.inference()).value().get(0);
        w.set(j, saved);
        double numeric = (plus - minus) / (2 * h);
        assertEquals(numeric, dw.get(j), 2e-3 + 1e-2 * Math.abs(numeric), name + "[" + j + "]");
        nonZero += Math.abs(numeric) > 1e-4 ? 1 : 0;
      }
    }
    // the check must have measured something: most probes see a real gradient
    assertTrue(nonZero > p.names().size() * probes / 2, nonZero + " non-zero probes");
  }
}
