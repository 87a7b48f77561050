package io.spindle.nn;

import io.spindle.autograd.Attention;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Shapes;
import io.spindle.autograd.Variable;

/**
 * Encoder-decoder attention (Vaswani et al. 2017, section 3.2.3): queries from the decoder through {@code c_q}
 * (C, C), keys and values from the encoder output ("memory") through the fused {@code c_kv} (2C, C), output
 * projection {@code c_proj} (C, C). Padded source positions are hidden from every query.
 *
 * <p>The keys and values depend only on the memory, so inference computes them once per source ({@link #keysValues})
 * and reuses them at every decoding step.
 */
final class CrossAttention {
  private final Linear query;
  private final Linear keyValue;
  private final Linear proj;
  private final int heads;

  CrossAttention(Parameters p, String prefix, int heads) {
    this.query = new Linear(p, prefix + ".c_q");
    this.keyValue = new Linear(p, prefix + ".c_kv");
    this.proj = new Linear(p, prefix + ".c_proj");
    this.heads = heads;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Linear.declare(b, prefix + ".c_q", c, c, bias);
    Linear.declare(b, prefix + ".c_kv", c, 2 * c, bias);
    Linear.declare(b, prefix + ".c_proj", c, c, bias);
  }

  /** Keys and values of the memory (B, S, C): two (B, NH, S, HS). */
  Variable[] keysValues(Graph g, Variable memory, int batch, int sourceTime) {
    int c = memory.value().dim(-1);
    Variable[] kv = Shapes.split(g, keyValue.apply(g, memory), -1, c, c); // 2 x (B, S, C)
    return new Variable[] {
        Heads.split(g, kv[0], batch, sourceTime, heads), // (B, NH, S, HS)
        Heads.split(g, kv[1], batch, sourceTime, heads)}; // (B, NH, S, HS)
  }

  /**
   * x (B, T, C) attends to the memory's keys and values (from {@link #keysValues}) → (B, T, C), before residual
   * dropout. {@code sourcePadding}: B rows of S flags, true = padded source position.
   */
  Variable apply(Graph g, Variable x, int batch, int time, Variable[] keysValues, boolean[][] sourcePadding,
      float dropout, long seed) {
    Variable q = Heads.split(g, query.apply(g, x), batch, time, heads); // (B, NH, T, HS)
    Variable y = Attention.scaledDotProduct(g, q, keysValues[0], keysValues[1], false, sourcePadding, dropout,
        seed); // (B, NH, T, HS)
    return proj.apply(g, Heads.merge(g, y, batch, time)); // (B, T, C)
  }
}
