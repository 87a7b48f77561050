package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.fail;

import io.spindle.tensor.Tensor;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Central finite-difference gradient checks for ops and compositions of ops.
 *
 * <p>The function under test maps input variables to an output of any shape. It is reduced to a scalar with a fixed
 * random projection, {@code L = sum_i out_i * r_i}, so every output element's gradient path is exercised with a
 * distinct weight. The analytic gradient comes from {@link Graph#backward}; the numeric one is
 * {@code (L(x + h e_j) - L(x - h e_j)) / 2h}, with L summed in double from the float32 outputs.
 *
 * <p>Tolerance. The engine computes in float32, so the numeric derivative carries two errors: truncation,
 * {@code h^2/6 * f'''} (about 2e-5 for h = 1e-2 and O(1) third derivatives), and the float32 rounding of the outputs,
 * about {@code 6e-8 * |out| * sqrt(n) / 2h} (under 3e-4 for n up to 10^4 outputs of O(1) size). A check passes when
 * {@code |numeric - analytic| <= 2e-3 + 1e-2 * max(|numeric|, |analytic|)}: a wrong derivative rule (a missing
 * factor, a transposed index, a dropped term) misses by O(1) relative, far outside that band.
 */
public final class GradCheck {
  static final double H = 1e-2;
  static final double ATOL = 2e-3;
  static final double RTOL = 1e-2;
  /** Elements perturbed per input at most (chosen at random beyond that) to keep tests fast. */
  static final int MAX_PROBES = 60;

  private GradCheck() {}

  /** Random values in [-1, 1) with the given shape. */
  public static Tensor random(Random rnd, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, rnd.nextFloat() * 2f - 1f);
    }
    return t;
  }

  /**
   * Checks d out / d input for every input of {@code f}, each input a trainable leaf.
   *
   * @param name label used in failure messages
   * @param f builds the output from the graph and the input variables (in the order given)
   */
  public static void check(String name, BiFunction<Graph, Variable[], Variable> f, Tensor... inputs) {
    Random rnd = new Random(42);
    // Analytic gradients.
    Graph g = Graph.training();
    Variable[] leaves = new Variable[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      leaves[i] = Variable.leaf(inputs[i]);
    }
    Variable out = f.apply(g, leaves);
    Tensor r = random(rnd, out.value().shape());
    Variable loss = Reductions.sum(g, Elementwise.mul(g, out, Variable.constant(r)));
    g.backward(loss);

    for (int in = 0; in < inputs.length; in++) {
      Tensor x = inputs[in];
      Tensor analytic = leaves[in].grad();
      int n = x.size();
      int probes = Math.min(n, MAX_PROBES);
      for (int p = 0; p < probes; p++) {
        int j = n <= MAX_PROBES ? p : rnd.nextInt(n);
        float saved = x.get(j);
        x.set(j, (float) (saved + H));
        double plus = projected(f, inputs, r);
        x.set(j, (float) (saved - H));
        double minus = projected(f, inputs, r);
        x.set(j, saved);
        double numeric = (plus - minus) / (2 * H);
        double a = analytic == null ? 0 : analytic.get(j);
        double err = Math.abs(numeric - a);
        if (!(err <= ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(a)))) {
          fail(String.format("%s: d/d input%d[%d] analytic %.6g vs numeric %.6g", name, in, j, a, numeric));
        }
      }
    }
  }

  private static double projected(BiFunction<Graph, Variable[], Variable> f, Tensor[] inputs, Tensor r) {
    Graph g = Graph.inference();
    Variable[] vs = new Variable[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      vs[i] = Variable.constant(inputs[i]);
    }
    Tensor out = f.apply(g, vs).value();
    double acc = 0;
    for (int i = 0; i < out.size(); i++) {
      acc += (double) out.get(i) * r.get(i);
    }
    return acc;
  }
}
