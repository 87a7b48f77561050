package io.spindle.nn;

import io.spindle.autograd.AttentionRecorder;
import io.spindle.autograd.CrossEntropy;
import io.spindle.autograd.Dropout;
import io.spindle.autograd.Graph;
import io.spindle.autograd.MatMul;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;

/**
 * A GPT decoder language model with exactly nanoGPT's architecture: token plus learned position embeddings, pre-LN
 * blocks of causal self-attention and a 4x GELU MLP, a final LayerNorm, and an output head tied to the token
 * embedding. Parameter names and shapes are nanoGPT's {@code state_dict()} keys (the tied {@code lm_head.weight} is
 * the {@code transformer.wte.weight} parameter; model folders write both keys).
 *
 * <p>Initialisation follows nanoGPT: N(0, 0.02) for Linear weights and embeddings, N(0, 0.02/sqrt(2 n_layer)) for the
 * residual projections ({@code c_proj}), zero biases, unit LayerNorm gains.
 */
public final class Gpt extends NetworkBase<GptConfig> {
  private final Variable wte; // (V, C)
  private final Variable wpe; // (blockSize, C)
  private final TransformerStack body; // transformer.h.*, transformer.ln_f

  private Gpt(GptConfig config, Parameters parameters) {
    super(config, parameters);
    this.wte = parameters.get("transformer.wte.weight");
    this.wpe = parameters.get("transformer.wpe.weight");
    this.body = new TransformerStack(parameters, "transformer", config.numLayers(), config.numHeads(),
        NormPlacement.PRE, false, true, false);
  }

  /** A freshly initialised model; the same seed gives the same weights, bit for bit. */
  public static Gpt create(GptConfig config, long seed) {
    return initialised(new Gpt(config, declare(config).build()), seed);
  }

  /** A model over existing parameters (e.g. loaded from a model folder); their names and shapes must match. */
  public static Gpt of(GptConfig config, Parameters parameters) {
    Parameters expected = declare(config).build();
    for (String name : expected.names()) {
      if (!parameters.contains(name)) {
        throw new IllegalArgumentException("GPT: parameter " + name + " missing");
      }
      if (!parameters.get(name).value().sameShape(expected.get(name).value())) {
        throw new IllegalArgumentException("GPT: parameter " + name + " has shape " + parameters.get(name).value()
            + ", config needs " + expected.get(name).value());
      }
    }
    if (parameters.names().size() != expected.names().size()) {
      throw new IllegalArgumentException("GPT: " + parameters.names().size() + " parameters, config needs "
          + expected.names().size());
    }
    return new Gpt(config, parameters);
  }

  /** The parameter layout of a config, in nanoGPT's order. */
  public static Parameters.Builder declare(GptConfig config) {
    Parameters.Builder b = Parameters.builder();
    b.add("transformer.wte.weight", config.vocabSize(), config.embedDim());
    b.add("transformer.wpe.weight", config.blockSize(), config.embedDim());
    TransformerStack.declare(b, "transformer", config.numLayers(), config.embedDim(), config.bias(),
        NormPlacement.PRE, false);
    return b;
  }

  @Override
  void initialise(long seed) {
    double residualStd = Init.residualStd(2.0 * config.numLayers());
    Init.matrices(parameters, seed, name -> name.endsWith("c_proj.weight") ? residualStd : Init.STD);
    TransformerStack.initialise(parameters, "transformer", config.numLayers(), NormPlacement.PRE, false);
  }

  /**
   * Next-token logits (B, T, V) for token ids (B*T, row-major). Dropout is applied only when {@code training} and
   * the config's dropout is non-zero, with masks drawn from {@code seed}.
   */
  public Variable logits(Graph g, int[] ids, int batch, int time, boolean training, long seed) {
    return forward(g, ids, batch, time, training ? (float) config.dropout() : 0f, seed, null, 0);
  }

  /**
   * Inference with a KV cache: logits (B, T, V) for {@code time} new positions that follow the cached ones; the
   * cache grows by {@code time}.
   */
  public Variable logits(Graph g, int[] ids, int batch, int time, KvCache cache) {
    Variable out = forward(g, ids, batch, time, 0f, 0L, cache, cache.length());
    cache.advance(time);
    return out;
  }

  /**
   * The attention probabilities of every layer for token ids (B*T, row-major): a forward pass without dropout or
   * cache on an inference graph that records them ({@link AttentionRecorder}); layer l's (B, NH, T, T) holds 0 above
   * the diagonal (the causal mask). Nothing is recorded for backward, and training passes are not affected.
   */
  public AttentionMaps attention(int[] ids, int batch, int time) {
    AttentionRecorder recorder = new AttentionRecorder();
    forward(Graph.inference(recorder), ids, batch, time, 0f, 0L, null, 0);
    return AttentionMaps.recorded("GPT", recorder.probabilities(), 0, 1, config.numLayers());
  }

  /** An empty KV cache for {@code batch} sequences, holding up to block size positions. */
  public KvCache newCache(int batch) {
    return new KvCache(config.numLayers(), batch, config.numHeads(), config.blockSize(), config.headSize());
  }

  /**
   * Mean (or summed, per {@code reduction}) next-token cross-entropy of {@code targets} (B*T) given {@code ids};
   * targets equal to {@link Batch#IGNORE} (padding of a last partial window) count for nothing.
   */
  public Variable loss(Graph g, int[] ids, int[] targets, int batch, int time, boolean training, long seed,
      Reduction reduction) {
    Variable logits = logits(g, ids, batch, time, training, seed); // (B, T, V)
    return CrossEntropy.crossEntropy(g, logits, targets, null, Batch.IGNORE, 0f, reduction);
  }

  private Variable forward(Graph g, int[] ids, int batch, int time, float dropout, long seed, KvCache cache,
      int start) {
    if (ids.length != batch * time) {
      throw new IllegalArgumentException("GPT: " + ids.length + " ids for batch " + batch + " x time " + time);
    }
    if (start + time > config.blockSize()) {
      throw new IllegalArgumentException("GPT: sequence of " + (start + time) + " positions exceeds block_size "
          + config.blockSize());
    }
    Variable x = InputEmbedding.apply(g, wte, wpe, null, ids, batch, time, start, dropout, Seeds.site(seed, -1));
    x = body.apply(g, x, batch, time, null, dropout, seed, 0, cache == null ? null : cache::layer); // (B, T, C)
    return MatMul.matmul(g, x, wte, false, true); // (B, T, V)
  }
}
