package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.MatMul;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * {@code y = x W^T + b}, with W in PyTorch's Linear layout (out, in): the parameters {@code <name>.weight} and,
 * when present, {@code <name>.bias}.
 */
final class Linear {
  private final Variable weight; // (OUT, IN)
  private final Variable bias; // (OUT) or null

  Linear(Parameters p, String name) {
    this.weight = p.get(name + ".weight");
    this.bias = p.contains(name + ".bias") ? p.get(name + ".bias") : null;
  }

  /** Declares {@code name.weight} (out, in) and, with {@code bias}, {@code name.bias} (out). */
  static void declare(Parameters.Builder b, String name, int in, int out, boolean bias) {
    b.add(name + ".weight", out, in);
    if (bias) {
      b.add(name + ".bias", out);
    }
  }

  /** x (..., IN) → (..., OUT). */
  Variable apply(Graph g, Variable x) {
    return MatMul.linear(g, x, weight, bias);
  }
}
