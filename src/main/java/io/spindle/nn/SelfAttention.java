package io.spindle.nn;

import io.spindle.autograd.Attention;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Shapes;
import io.spindle.autograd.Variable;

/**
 * Multi-head self-attention with a fused query/key/value projection {@code c_attn} (3C, C) and an output projection
 * {@code c_proj} (C, C): bidirectional with a key padding mask in an encoder, causal in a decoder. (The GPT keeps its
 * own {@link CausalSelfAttention}, which this generalises.)
 */
final class SelfAttention {
  private final Linear qkv;
  private final Linear proj;
  private final int heads;
  private final boolean causal;

  SelfAttention(Parameters p, String prefix, int heads, boolean causal) {
    this.qkv = new Linear(p, prefix + ".c_attn");
    this.proj = new Linear(p, prefix + ".c_proj");
    this.heads = heads;
    this.causal = causal;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Linear.declare(b, prefix + ".c_attn", c, 3 * c, bias);
    Linear.declare(b, prefix + ".c_proj", c, c, bias);
  }

  /**
   * x (B, T, C) → (B, T, C), before residual dropout. {@code keyPadding} (nullable, B rows of T flags, true =
   * padded) hides padded keys; {@code dropout} is the attention-probability dropout (0 outside training). With a
   * cache (decoder inference), x holds the T newest positions, which also attend to every cached position; the
   * cache's keys and values grow by T.
   */
  Variable apply(Graph g, Variable x, int batch, int time, boolean[][] keyPadding, float dropout, long seed,
      DecoderCache.Layer cache) {
    int c = x.value().dim(-1);
    Variable[] parts = Shapes.split(g, qkv.apply(g, x), -1, c, c, c); // 3 x (B, T, C)
    Variable q = Heads.split(g, parts[0], batch, time, heads); // (B, NH, T, HS)
    Variable k = Heads.split(g, parts[1], batch, time, heads); // (B, NH, T, HS)
    Variable v = Heads.split(g, parts[2], batch, time, heads); // (B, NH, T, HS)
    if (cache != null) {
      k = Variable.constant(cache.appendKeys(k.value())); // (B, NH, S, HS)
      v = Variable.constant(cache.appendValues(v.value())); // (B, NH, S, HS)
    }
    Variable y = Attention.scaledDotProduct(g, q, k, v, causal, keyPadding, dropout, seed); // (B, NH, T, HS)
    return proj.apply(g, Heads.merge(g, y, batch, time)); // (B, T, C)
  }
}
