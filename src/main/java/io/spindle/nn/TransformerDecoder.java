package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;

/**
 * A stack of {@link DecoderBlock}s named {@code <prefix>.h.<i>}, plus the final LayerNorm {@code <prefix>.ln_f} for
 * {@link NormPlacement#PRE}. Works on embedded input and returns the last hidden states; the model projects them to
 * the vocabulary.
 */
final class TransformerDecoder {
  private final DecoderBlock[] blocks;
  private final Norm lnF; // null for POST

  TransformerDecoder(Parameters p, String prefix, int numLayers, int heads, NormPlacement placement, boolean relu) {
    this.blocks = new DecoderBlock[numLayers];
    for (int i = 0; i < numLayers; i++) {
      blocks[i] = new DecoderBlock(p, prefix + ".h." + i, heads, placement, relu);
    }
    this.lnF = placement == NormPlacement.PRE ? new Norm(p, prefix + ".ln_f", GptConfig.LAYER_NORM_EPS) : null;
  }

  static void declare(Parameters.Builder b, String prefix, int numLayers, int c, boolean bias,
      NormPlacement placement) {
    for (int i = 0; i < numLayers; i++) {
      DecoderBlock.declare(b, prefix + ".h." + i, c, bias);
    }
    if (placement == NormPlacement.PRE) {
      Norm.declare(b, prefix + ".ln_f", c, bias);
    }
  }

  static void initialise(Parameters p, String prefix, int numLayers, NormPlacement placement) {
    for (int i = 0; i < numLayers; i++) {
      DecoderBlock.initialise(p, prefix + ".h." + i);
    }
    if (placement == NormPlacement.PRE) {
      Norm.initialise(p, prefix + ".ln_f");
    }
  }

  int numLayers() {
    return blocks.length;
  }

  /** Per layer, the cross-attention keys and values of a memory (B, S, C), for a {@link DecoderCache}. */
  DecoderCache.Layer[] cacheLayers(Graph g, Variable memory, int batch, int sourceTime) {
    DecoderCache.Layer[] layers = new DecoderCache.Layer[blocks.length];
    for (int i = 0; i < blocks.length; i++) {
      layers[i] = new DecoderCache.Layer(blocks[i].crossKeysValues(g, memory, batch, sourceTime));
    }
    return layers;
  }

  /**
   * Embedded target x (B, T, C) → decoder states (B, T, C), attending to the memory (B, S, C) (ignored when a cache
   * supplies its keys and values). Layer i draws its dropout masks from sites {@code site + 8 i} onwards.
   */
  Variable apply(Graph g, Variable x, int batch, int time, Variable memory, boolean[][] sourcePadding,
      float dropout, long seed, int site, DecoderCache cache) {
    for (int i = 0; i < blocks.length; i++) {
      x = blocks[i].apply(g, x, batch, time, memory, sourcePadding, dropout, seed, site + 8 * i,
          cache == null ? null : cache.layer(i));
    }
    return lnF == null ? x : lnF.apply(g, x); // (B, T, C)
  }
}
