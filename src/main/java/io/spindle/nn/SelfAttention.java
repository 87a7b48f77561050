package io.spindle.nn;

import io.spindle.autograd.Attention;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Shapes;
import io.spindle.autograd.Variable;
import io.spindle.tensor.Tensor;

/**
 * Multi-head self-attention with nanoGPT's fused query/key/value projection {@code c_attn} (3C, C) and output
 * projection {@code c_proj} (C, C): causal in a GPT and a decoder (position t attends to positions 0..t),
 * bidirectional with a key padding mask in an encoder.
 */
final class SelfAttention {
  private final Linear qkv;
  private final Linear proj;
  private final int heads;
  private final boolean causal;

  /**
   * The keys and values of positions already processed, one layer's share of a {@link KvCache} or a
   * {@link DecoderCache}: inference only.
   */
  interface Cache {
    /** Stores new keys (B, NH, T, HS) after the cached ones; returns all keys so far, (B, NH, S, HS). */
    Tensor appendKeys(Tensor k);

    /** Same as {@link #appendKeys} for values. */
    Tensor appendValues(Tensor v);
  }

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
   * padded) hides padded keys; {@code dropout} is the attention-probability dropout (0 outside training), drawn from
   * {@code seed}. With a cache (inference), x holds the T newest positions, which also attend to every cached
   * position; the cache's keys and values grow by T.
   */
  Variable apply(Graph g, Variable x, int batch, int time, boolean[][] keyPadding, float dropout, long seed,
      Cache cache) {
    Variable packed = qkv.apply(g, x); // (B, T, 3C)
    if (cache == null) {
      // the heads read in place from the packed projection (the same math as the split path below)
      return proj.apply(g, Attention.selfAttention(g, packed, heads, causal, keyPadding, dropout, seed)); // (B, T, C)
    }
    int c = x.value().dim(-1);
    Variable[] parts = Shapes.split(g, packed, -1, c, c, c); // 3 x (B, T, C)
    Variable q = Heads.split(g, parts[0], batch, time, heads); // (B, NH, T, HS)
    Tensor k = cache.appendKeys(Heads.split(g, parts[1], batch, time, heads).value()); // (B, NH, S, HS)
    Tensor v = cache.appendValues(Heads.split(g, parts[2], batch, time, heads).value()); // (B, NH, S, HS)
    Variable y = Attention.scaledDotProduct(g, q, Variable.constant(k), Variable.constant(v), causal, keyPadding,
        dropout, seed); // (B, NH, T, HS)
    return proj.apply(g, Heads.merge(g, y, batch, time)); // (B, T, C)
  }
}
