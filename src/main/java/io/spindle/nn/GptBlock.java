package io.spindle.nn;

import io.spindle.autograd.Dropout;
import io.spindle.autograd.Elementwise;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/** A pre-LayerNorm transformer block: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))} (nanoGPT's Block). */
final class GptBlock {
  private final Norm ln1;
  private final CausalSelfAttention attn;
  private final Norm ln2;
  private final Mlp mlp;
  private final int index;

  GptBlock(Parameters p, GptConfig config, int index) {
    String prefix = "transformer.h." + index;
    this.ln1 = new Norm(p, prefix + ".ln_1", GptConfig.LAYER_NORM_EPS);
    this.attn = new CausalSelfAttention(p, prefix + ".attn", config.numHeads());
    this.ln2 = new Norm(p, prefix + ".ln_2", GptConfig.LAYER_NORM_EPS);
    this.mlp = new Mlp(p, prefix + ".mlp");
    this.index = index;
  }

  static void declare(Parameters.Builder b, GptConfig config, int index) {
    String prefix = "transformer.h." + index;
    int c = config.embedDim();
    Norm.declare(b, prefix + ".ln_1", c, config.bias());
    CausalSelfAttention.declare(b, prefix + ".attn", c, config.bias());
    Norm.declare(b, prefix + ".ln_2", c, config.bias());
    Mlp.declare(b, prefix + ".mlp", c, config.bias());
  }

  static void initialise(Parameters p, int index) {
    String prefix = "transformer.h." + index;
    Norm.initialise(p, prefix + ".ln_1");
    Norm.initialise(p, prefix + ".ln_2");
  }

  /** x (B, T, C) → (B, T, C); {@code dropout} is 0 when not training. */
  Variable apply(Graph g, Variable x, int batch, int time, float dropout, long seed, KvCache cache) {
    KvCache.Layer layerCache = cache == null ? null : cache.layer(index);
    Variable a = attn.apply(g, ln1.apply(g, x), batch, time, dropout, Seeds.site(seed, 8 * index), layerCache);
    x = Elementwise.add(g, x, Dropout.dropout(g, a, dropout, Seeds.site(seed, 8 * index + 1))); // (B, T, C)
    Variable m = mlp.apply(g, ln2.apply(g, x));
    return Elementwise.add(g, x, Dropout.dropout(g, m, dropout, Seeds.site(seed, 8 * index + 2))); // (B, T, C)
  }
}
