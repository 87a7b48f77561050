package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * A stack of {@link EncoderBlock}s named {@code <prefix>.h.<i>}, plus the final LayerNorm {@code <prefix>.ln_f} when
 * the norms come first ({@link NormPlacement#PRE}; post-norm blocks already end normalised). Works on embedded input:
 * the models add their own token and position embeddings. Bidirectional, or causal (a GPT body, position t attending
 * to positions 0..t) when built so.
 */
final class TransformerEncoder {
  private final EncoderBlock[] blocks;
  private final Norm lnF; // null for POST

  TransformerEncoder(Parameters p, String prefix, int numLayers, int heads, NormPlacement placement, boolean relu) {
    this(p, prefix, numLayers, heads, placement, relu, false);
  }

  TransformerEncoder(Parameters p, String prefix, int numLayers, int heads, NormPlacement placement, boolean relu,
      boolean causal) {
    this.blocks = new EncoderBlock[numLayers];
    for (int i = 0; i < numLayers; i++) {
      blocks[i] = new EncoderBlock(p, prefix + ".h." + i, heads, placement, relu, causal);
    }
    this.lnF = placement == NormPlacement.PRE ? new Norm(p, prefix + ".ln_f", GptConfig.LAYER_NORM_EPS) : null;
  }

  static void declare(Parameters.Builder b, String prefix, int numLayers, int c, boolean bias,
      NormPlacement placement) {
    for (int i = 0; i < numLayers; i++) {
      EncoderBlock.declare(b, prefix + ".h." + i, c, bias);
    }
    if (placement == NormPlacement.PRE) {
      Norm.declare(b, prefix + ".ln_f", c, bias);
    }
  }

  static void initialise(Parameters p, String prefix, int numLayers, NormPlacement placement) {
    for (int i = 0; i < numLayers; i++) {
      EncoderBlock.initialise(p, prefix + ".h." + i);
    }
    if (placement == NormPlacement.PRE) {
      Norm.initialise(p, prefix + ".ln_f");
    }
  }

  /**
   * Embedded input x (B, T, C) → encoder states (B, T, C). {@code padding}: B rows of T flags (true = padded),
   * hidden from attention. Layer i draws its dropout masks from sites {@code site + 8 i} to {@code site + 8 i + 2}.
   */
  Variable apply(Graph g, Variable x, int batch, int time, boolean[][] padding, float dropout, long seed, int site) {
    for (int i = 0; i < blocks.length; i++) {
      x = blocks[i].apply(g, x, batch, time, padding, dropout, seed, site + 8 * i);
    }
    return lnF == null ? x : lnF.apply(g, x); // (B, T, C)
  }
}
