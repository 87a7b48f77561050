package io.spindle.nn;

import io.spindle.autograd.Activations;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/** The position-wise feed-forward layer: {@code c_proj(gelu(c_fc(x)))}, hidden width 4C (nanoGPT's MLP). */
final class Mlp {
  private final Linear fc; // (4C, C)
  private final Linear proj; // (C, 4C)

  Mlp(Parameters p, String prefix) {
    this.fc = new Linear(p, prefix + ".c_fc");
    this.proj = new Linear(p, prefix + ".c_proj");
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Linear.declare(b, prefix + ".c_fc", c, 4 * c, bias);
    Linear.declare(b, prefix + ".c_proj", 4 * c, c, bias);
  }

  /** x (B, T, C) → (B, T, C), before residual dropout. */
  Variable apply(Graph g, Variable x) {
    Variable h = fc.apply(g, x); // (B, T, 4C)
    h = Activations.gelu(g, h); // (B, T, 4C)
    return proj.apply(g, h); // (B, T, C)
  }
}
