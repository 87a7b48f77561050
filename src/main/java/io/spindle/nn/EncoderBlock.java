package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * A transformer encoder layer: self-attention over the unpadded positions (bidirectional, or causal for a GPT body) ({@code attn}, normed by
 * {@code ln_1}), then the feed-forward layer ({@code mlp}, normed by {@code ln_2}), each a {@link Residual}
 * sub-layer with the LayerNorm before or after the sum.
 */
final class EncoderBlock {
  private final Norm ln1;
  private final SelfAttention attn;
  private final Norm ln2;
  private final Mlp mlp;
  private final NormPlacement placement;

  EncoderBlock(Parameters p, String prefix, int heads, NormPlacement placement, boolean relu, boolean causal) {
    this.ln1 = new Norm(p, prefix + ".ln_1", GptConfig.LAYER_NORM_EPS);
    this.attn = new SelfAttention(p, prefix + ".attn", heads, causal);
    this.ln2 = new Norm(p, prefix + ".ln_2", GptConfig.LAYER_NORM_EPS);
    this.mlp = new Mlp(p, prefix + ".mlp", relu);
    this.placement = placement;
  }

  static void declare(Parameters.Builder b, String prefix, int c, boolean bias) {
    Norm.declare(b, prefix + ".ln_1", c, bias);
    SelfAttention.declare(b, prefix + ".attn", c, bias);
    Norm.declare(b, prefix + ".ln_2", c, bias);
    Mlp.declare(b, prefix + ".mlp", c, bias);
  }

  static void initialise(Parameters p, String prefix) {
    Norm.initialise(p, prefix + ".ln_1");
    Norm.initialise(p, prefix + ".ln_2");
  }

  /**
   * x (B, T, C) → (B, T, C). {@code padding}: B rows of T flags, true = padded key (nullable). Dropout sites
   * {@code site} (attention probabilities), {@code site + 1} and {@code site + 2} (the two residual branches).
   */
  Variable apply(Graph g, Variable x, int batch, int time, boolean[][] padding, float dropout, long seed, int site) {
    x = Residual.apply(g, x, ln1, placement,
        h -> attn.apply(g, h, batch, time, padding, dropout, Seeds.site(seed, site), null),
        dropout, Seeds.site(seed, site + 1)); // (B, T, C)
    return Residual.apply(g, x, ln2, placement, h -> mlp.apply(g, h), dropout, Seeds.site(seed, site + 2));
  }
}
