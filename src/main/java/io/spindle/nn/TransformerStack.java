package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Variable;
import java.util.function.IntFunction;

/**
 * A stack of {@link TransformerBlock}s named {@code <prefix>.h.<i>}, plus the final LayerNorm {@code <prefix>.ln_f}
 * when the norms come first ({@link NormPlacement#PRE}; post-norm blocks already end normalised): a GPT body, an
 * encoder (bidirectional, or causal for a GPT backbone) or a decoder (with cross-attention to an encoder output).
 * Works on embedded input and returns the last hidden states; the models add their own embeddings and heads.
 */
final class TransformerStack {
  private final TransformerBlock[] blocks;
  private final Norm lnF; // null for POST

  TransformerStack(Parameters p, String prefix, int numLayers, int heads, NormPlacement placement, boolean relu,
      boolean causal, boolean cross) {
    this.blocks = new TransformerBlock[numLayers];
    for (int i = 0; i < numLayers; i++) {
      blocks[i] = new TransformerBlock(p, prefix + ".h." + i, heads, placement, relu, causal, cross);
    }
    this.lnF = placement == NormPlacement.PRE ? new Norm(p, prefix + ".ln_f", GptConfig.LAYER_NORM_EPS) : null;
  }

  static void declare(Parameters.Builder b, String prefix, int numLayers, int c, boolean bias,
      NormPlacement placement, boolean cross) {
    for (int i = 0; i < numLayers; i++) {
      TransformerBlock.declare(b, prefix + ".h." + i, c, bias, cross);
    }
    if (placement == NormPlacement.PRE) {
      Norm.declare(b, prefix + ".ln_f", c, bias);
    }
  }

  static void initialise(Parameters p, String prefix, int numLayers, NormPlacement placement, boolean cross) {
    for (int i = 0; i < numLayers; i++) {
      TransformerBlock.initialise(p, prefix + ".h." + i, cross);
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
   * Embedded input x (B, T, C) → states (B, T, C), without cross-attention. {@code padding}: B rows of T flags
   * (true = padded), hidden from attention (nullable); {@code caches}: layer i's self-attention cache (null when
   * none). Layer i draws its dropout masks from sites {@code site + 8 i} to {@code site + 8 i + 2}.
   */
  Variable apply(Graph g, Variable x, int batch, int time, boolean[][] padding, float dropout, long seed, int site,
      IntFunction<SelfAttention.Cache> caches) {
    return run(g, x, batch, time, padding, null, dropout, seed, site, caches);
  }

  /**
   * Embedded target x (B, T, C) → decoder states (B, T, C), attending to the memory (B, S, C) whose padded positions
   * {@code sourcePadding} marks (the memory is not read when a cache supplies its keys and values). Layer i draws its
   * dropout masks from sites {@code site + 8 i} onwards.
   */
  Variable decode(Graph g, Variable x, int batch, int time, Variable memory, boolean[][] sourcePadding,
      float dropout, long seed, int site, DecoderCache cache) {
    IntFunction<TransformerBlock.Memory> memories = i -> new TransformerBlock.Memory(cache != null
        ? cache.layer(i).crossKeysValues()
        : blocks[i].crossKeysValues(g, memory, batch, memory.value().dim(1)), sourcePadding); // 2 x (B, NH, S, HS)
    return run(g, x, batch, time, null, memories, dropout, seed, site, cache == null ? null : cache::layer);
  }

  private Variable run(Graph g, Variable x, int batch, int time, boolean[][] padding,
      IntFunction<TransformerBlock.Memory> memories, float dropout, long seed, int site,
      IntFunction<? extends SelfAttention.Cache> caches) {
    for (int i = 0; i < blocks.length; i++) {
      x = blocks[i].apply(g, x, batch, time, padding, memories == null ? null : memories.apply(i), dropout, seed,
          site + 8 * i, caches == null ? null : caches.apply(i));
    }
    return lnF == null ? x : lnF.apply(g, x); // (B, T, C)
  }
}
