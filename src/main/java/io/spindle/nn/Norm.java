package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.LayerNorm;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/** LayerNorm over the last dimension with gain {@code <name>.weight} and, when present, {@code <name>.bias}. */
final class Norm {
  private final Variable weight; // (C)
  private final Variable bias; // (C) or null
  private final float eps;

  Norm(Parameters p, String name, float eps) {
    this.weight = p.get(name + ".weight");
    this.bias = p.contains(name + ".bias") ? p.get(name + ".bias") : null;
    this.eps = eps;
  }

  static void declare(Parameters.Builder b, String name, int channels, boolean bias) {
    b.add(name + ".weight", channels);
    if (bias) {
      b.add(name + ".bias", channels);
    }
  }

  /** Gains start at 1, biases at 0. */
  static void initialise(Parameters p, String name) {
    p.get(name + ".weight").value().fillInPlace(1f);
  }

  /** x (..., C) → (..., C). */
  Variable apply(Graph g, Variable x) {
    return LayerNorm.layerNorm(g, x, weight, bias, eps);
  }
}
