package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * A transformer layer, each sub-layer a {@link Residual} with its LayerNorm before or after the sum: self-attention
 * ({@code attn}, normed by {@code ln_1}; bidirectional over the unpadded positions, or causal in a GPT and a
 * decoder), in a decoder then attention to the encoder output ({@code cross_attn}, normed by {@code ln_2}; Vaswani
 * et al. 2017, section 3.1), and the feed-forward layer ({@code mlp}, normed by {@code ln_2}, or {@code ln_3} after a
 * cross-attention). A causal pre-LN layer without cross-attention is nanoGPT's {@code Block}, names included.
 */
final class TransformerBlock {
  private final Norm ln1;
  private final SelfAttention attn;
  private final Norm lnCross; // null without cross-attention
  private final CrossAttention crossAttn; // null without cross-attention
  private final Norm lnMlp;
  private final Mlp mlp;
  private final NormPlacement placement;

  /** The encoder output a decoder layer attends to: its keys and values, and which source positions are padding. */
  record Memory(Variable[] keysValues, boolean[][] padding) {}

  TransformerBlock(Parameters p, String prefix, int heads, NormPlacement placement, boolean relu, boolean causal,
      boolean cross) {
    this.ln1 = new Norm(p, prefix + ".ln_1", GptConfig.LAYER_NORM_EPS);
    this.attn = new SelfAttention(p, prefix + ".attn", heads, causal);
    this.lnCross = cross ? new Norm(p, prefix + ".ln_2", GptConfig.LAYER_NORM_EPS) : null;
    this.crossAttn = cross ? new CrossAttention(p, prefix + ".cross_attn", heads) : null;
    this.lnMlp = new Norm(p, mlpNorm(prefix, cross), GptConfig.LAYER_NORM_EPS);
    this.mlp = new Mlp(p, prefix + ".mlp", relu);
    this.placement = placement;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias, boolean cross) {
    Norm.declare(b, prefix + ".ln_1", c, bias);
    SelfAttention.declare(b, prefix + ".attn", c, bias);
    if (cross) {
      Norm.declare(b, prefix + ".ln_2", c, bias);
      CrossAttention.declare(b, prefix + ".cross_attn", c, bias);
    }
    Norm.declare(b, mlpNorm(prefix, cross), c, bias);
    Mlp.declare(b, prefix + ".mlp", c, bias);
  }

  static void initialise(Parameters p, String prefix, boolean cross) {
    Norm.initialise(p, prefix + ".ln_1");
    if (cross) {
      Norm.initialise(p, prefix + ".ln_2");
    }
    Norm.initialise(p, mlpNorm(prefix, cross));
  }

  private static String mlpNorm(String prefix, boolean cross) {
    return prefix + (cross ? ".ln_3" : ".ln_2");
  }

  /** The cross-attention keys and values of a memory (B, S, C), for a {@link DecoderCache}. */
  Variable[] crossKeysValues(Graph g, Variable memory, int batch, int sourceTime) {
    return crossAttn.keysValues(g, memory, batch, sourceTime);
  }

  /**
   * x (B, T, C) → (B, T, C). {@code padding}: B rows of T flags, true = padded key (nullable). {@code memory}: what
   * the cross-attention reads (null without one). With a cache, x holds the T newest positions and the cache's
   * self-attention entries grow by T. Dropout sites: {@code site} (attention probabilities) and {@code site + 1} (its
   * residual branch), {@code site + 2} and {@code site + 3} likewise for the cross-attention, then the feed-forward
   * residual branch.
   */
  Variable apply(Graph g, Variable x, int batch, int time, boolean[][] padding, Memory memory, float dropout,
      long seed, int site, SelfAttention.Cache cache) {
    x = Residual.apply(g, x, ln1, placement,
        h -> attn.apply(g, h, batch, time, padding, dropout, Seeds.site(seed, site), cache),
        dropout, Seeds.site(seed, site + 1)); // (B, T, C)
    int next = site + 2;
    if (crossAttn != null) {
      x = Residual.apply(g, x, lnCross, placement, h -> crossAttn.apply(g, h, batch, time, memory.keysValues(),
          memory.padding(), dropout, Seeds.site(seed, site + 2)), dropout, Seeds.site(seed, site + 3)); // (B, T, C)
      next = site + 4;
    }
    return Residual.apply(g, x, lnMlp, placement, h -> mlp.apply(g, h), dropout, Seeds.site(seed, next));
  }
}
