package io.spindle.nn;

import io.spindle.autograd.Attention;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Shapes;
import io.spindle.autograd.Variable;

/**
 * Masked multi-head self-attention with nanoGPT's fused query/key/value projection {@code c_attn} (3C, C) and output
 * projection {@code c_proj} (C, C).
 */
final class CausalSelfAttention {
  private final Linear qkv;
  private final Linear proj;
  private final int heads;

  CausalSelfAttention(Parameters p, String prefix, int heads) {
    this.qkv = new Linear(p, prefix + ".c_attn");
    this.proj = new Linear(p, prefix + ".c_proj");
    this.heads = heads;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Linear.declare(b, prefix + ".c_attn", c, 3 * c, bias);
    Linear.declare(b, prefix + ".c_proj", c, c, bias);
  }

  /**
   * x (B, T, C) → (B, T, C), before residual dropout; {@code dropout} is the attention-probability dropout of this
   * pass (0 when not training), drawn from {@code seed}. With a cache, x holds the T newest positions and attends to
   * every cached position as well; the cache is extended by T.
   */
  Variable apply(Graph g, Variable x, int batch, int time, float dropout, long seed, KvCache.Layer cache) {
    int c = x.value().dim(-1);
    Variable packed = qkv.apply(g, x); // (B, T, 3C)
    if (cache == null) {
      // the heads read in place from the packed projection (the same math as the split path below)
      return proj.apply(g, Attention.selfAttention(g, packed, heads, true, null, dropout, seed)); // (B, T, C)
    }
    Variable[] parts = Shapes.split(g, packed, -1, c, c, c); // 3 x (B, T, C)
    Variable q = Heads.split(g, parts[0], batch, time, heads); // (B, NH, T, HS)
    Variable k = Heads.split(g, parts[1], batch, time, heads); // (B, NH, T, HS)
    Variable v = Heads.split(g, parts[2], batch, time, heads); // (B, NH, T, HS)
    if (cache != null) {
      k = Variable.constant(cache.appendKeys(k.value())); // (B, NH, S, HS)
      v = Variable.constant(cache.appendValues(v.value())); // (B, NH, S, HS)
    }
    Variable y = Attention.scaledDotProduct(g, q, k, v, true, null, dropout, seed);
    return proj.apply(g, Heads.merge(g, y, batch, time)); // (B, T, C)
  }
}
