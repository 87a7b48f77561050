package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * A transformer decoder layer (Vaswani et al. 2017, section 3.1): causal self-attention ({@code attn}, normed by
 * {@code ln_1}), attention to the encoder output ({@code cross_attn}, normed by {@code ln_2}), then the feed-forward
 * layer ({@code mlp}, normed by {@code ln_3}), each a {@link Residual} sub-layer.
 */
final class DecoderBlock {
  private final Norm ln1;
  private final SelfAttention attn;
  private final Norm ln2;
  private final CrossAttention crossAttn;
  private final Norm ln3;
  private final Mlp mlp;
  private final NormPlacement placement;

  DecoderBlock(Parameters p, String prefix, int heads, NormPlacement placement, boolean relu) {
    this.ln1 = new Norm(p, prefix + ".ln_1", GptConfig.LAYER_NORM_EPS);
    this.attn = new SelfAttention(p, prefix + ".attn", heads, true);
    this.ln2 = new Norm(p, prefix + ".ln_2", GptConfig.LAYER_NORM_EPS);
    this.crossAttn = new CrossAttention(p, prefix + ".cross_attn", heads);
    this.ln3 = new Norm(p, prefix + ".ln_3", GptConfig.LAYER_NORM_EPS);
    this.mlp = new Mlp(p, prefix + ".mlp", relu);
    this.placement = placement;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Norm.declare(b, prefix + ".ln_1", c, bias);
    SelfAttention.declare(b, prefix + ".attn", c, bias);
    Norm.declare(b, prefix + ".ln_2", c, bias);
    CrossAttention.declare(b, prefix + ".cross_attn", c, bias);
    Norm.declare(b, prefix + ".ln_3", c, bias);
    Mlp.declare(b, prefix + ".mlp", c, bias);
  }

  static void initialise(Parameters p, String prefix) {
    Norm.initialise(p, prefix + ".ln_1");
    Norm.initialise(p, prefix + ".ln_2");
    Norm.initialise(p, prefix + ".ln_3");
  }

  /** The cross-attention keys and values of a memory (B, S, C), for a {@link DecoderCache}. */
  Variable[] crossKeysValues(Graph g, Variable memory, int batch, int sourceTime) {
    return crossAttn.keysValues(g, memory, batch, sourceTime);
  }

  /**
   * x (B, T, C) → (B, T, C), attending causally to itself and to the memory (B, S, C) whose padded positions
   * {@code sourcePadding} marks. With a cache, x holds the T newest target positions, the memory is not read (its
   * keys and values come from the cache) and the cache's self-attention entries grow by T. Dropout sites
   * {@code site} to {@code site + 4}.
   */
  Variable apply(Graph g, Variable x, int batch, int time, Variable memory, boolean[][] sourcePadding,
      float dropout, long seed, int site, DecoderCache.Layer cache) {
    Variable[] kv = cache != null ? cache.crossKeysValues()
        : crossAttn.keysValues(g, memory, batch, memory.value().dim(1)); // 2 x (B, NH, S, HS)
    x = Residual.apply(g, x, ln1, placement,
        h -> attn.apply(g, h, batch, time, null, dropout, Seeds.site(seed, site), cache),
        dropout, Seeds.site(seed, site + 1)); // (B, T, C)
    x = Residual.apply(g, x, ln2, placement,
        h -> crossAttn.apply(g, h, batch, time, kv, sourcePadding, dropout, Seeds.site(seed, site + 2)),
        dropout, Seeds.site(seed, site + 3)); // (B, T, C)
    return Residual.apply(g, x, ln3, placement, h -> mlp.apply(g, h), dropout, Seeds.site(seed, site + 4));
  }
}
