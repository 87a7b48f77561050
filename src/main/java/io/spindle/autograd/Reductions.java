package io.spindle.autograd;

import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/** Sum and mean of all elements, to a one-element tensor of shape (). Accumulation is in double. */
public final class Reductions {
  private Reductions() {}

  /** {@code sum_i a_i}. */
  public static Variable sum(Graph g, Variable a) {
    return reduce(g, a, 1f);
  }

  /** {@code (1/n) sum_i a_i}; the mean of an empty tensor is NaN, as in PyTorch. */
  public static Variable mean(Graph g, Variable a) {
    return reduce(g, a, 1f / a.value().size());
  }

  private static Variable reduce(Graph g, Variable a, float factor) {
    Tensor x = a.value();
    FloatBuffer xb = x.buffer();
    int xo = x.offset();
    double acc = 0;
    for (int i = 0; i < x.size(); i++) {
      acc += xb.get(xo + i);
    }
    Tensor out = g.empty();
    out.set(0, (float) (acc * factor));
    return g.record(out, dout -> {
      // d(factor * sum_i a_i)/da_i = factor
      Tensor da = g.gradOf(a);
      float d = factor * dout.get(0);
      FloatBuffer db = da.buffer();
      int o = da.offset();
      for (int i = 0; i < da.size(); i++) {
        db.put(o + i, db.get(o + i) + d);
      }
    }, a);
  }
}
