package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Shapes;
import io.spindle.autograd.Variable;

/** Moving between the residual layout (B, T, C) and the per-head layout (B, NH, T, HS) of attention. */
final class Heads {
  private Heads() {}

  /** (B, T, C) → (B, NH, T, HS). */
  static Variable split(Graph g, Variable x, int batch, int time, int heads) {
    int hs = x.value().dim(-1) / heads;
    Variable v = Shapes.reshape(g, x, batch, time, heads, hs); // (B, T, NH, HS)
    return Shapes.transpose(g, v, 1, 2); // (B, NH, T, HS)
  }

  /** (B, NH, T, HS) → (B, T, C). */
  static Variable merge(Graph g, Variable y, int batch, int time) {
    int c = y.value().dim(1) * y.value().dim(3);
    Variable v = Shapes.transpose(g, y, 1, 2); // (B, T, NH, HS)
    return Shapes.reshape(g, v, batch, time, c); // (B, T, C)
  }
}
