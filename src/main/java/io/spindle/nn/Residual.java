package io.spindle.nn;

import io.spindle.autograd.Dropout;
import io.spindle.autograd.Elementwise;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Variable;
import java.util.function.UnaryOperator;

/** One residual sub-layer of a transformer block, with its LayerNorm before or after the residual sum. */
final class Residual {
  private Residual() {}

  /**
   * {@code x + dropout(sublayer(norm(x)))} for {@link NormPlacement#PRE}, or {@code norm(x + dropout(sublayer(x)))}
   * for {@link NormPlacement#POST}; x and the result are (B, T, C). {@code dropout} is 0 outside training.
   */
  static Variable apply(Graph g, Variable x, Norm norm, NormPlacement placement, UnaryOperator<Variable> sublayer,
      float dropout, long seed) {
    if (placement == NormPlacement.PRE) {
      Variable y = sublayer.apply(norm.apply(g, x)); // (B, T, C)
      return Elementwise.add(g, x, Dropout.dropout(g, y, dropout, seed)); // (B, T, C)
    }
    Variable y = sublayer.apply(x); // (B, T, C)
    return norm.apply(g, Elementwise.add(g, x, Dropout.dropout(g, y, dropout, seed))); // (B, T, C)
  }
}
