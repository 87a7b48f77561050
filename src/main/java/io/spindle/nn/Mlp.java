package io.spindle.nn;

import io.spindle.autograd.Activations;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * The position-wise feed-forward layer: {@code c_proj(gelu(c_fc(x)))}, hidden width 4C (nanoGPT's MLP), or with ReLU
 * in place of GELU, {@code FFN(x) = max(0, x W1 + b1) W2 + b2} of "Attention Is All You Need" (eq. 2).
 */
final class Mlp {
  private final Linear fc; // (4C, C)
  private final Linear proj; // (C, 4C)
  private final boolean relu;

  Mlp(Parameters p, String prefix) {
    this(p, prefix, false);
  }

  /** With {@code relu}, the hidden activation is ReLU instead of GELU. */
  Mlp(Parameters p, String prefix, boolean relu) {
    this.fc = new Linear(p, prefix + ".c_fc");
    this.proj = new Linear(p, prefix + ".c_proj");
    this.relu = relu;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Linear.declare(b, prefix + ".c_fc", c, 4 * c, bias);
    Linear.declare(b, prefix + ".c_proj", 4 * c, c, bias);
  }

  /** x (B, T, C) → (B, T, C), before residual dropout. */
  Variable apply(Graph g, Variable x) {
    Variable h = fc.apply(g, x); // (B, T, 4C)
    h = relu ? Activations.relu(g, h) : Activations.gelu(g, h); // (B, T, 4C)
    return proj.apply(g, h); // (B, T, C)
  }
}
