package io.spindle.nn;

import io.spindle.autograd.CrossEntropy;
import io.spindle.autograd.Dropout;
import io.spindle.autograd.Elementwise;
import io.spindle.autograd.Embedding;
import io.spindle.autograd.Graph;
import io.spindle.autograd.MatMul;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;
import io.spindle.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A GPT decoder language model with exactly nanoGPT's architecture: token plus learned position embeddings, pre-LN
 * blocks of causal self-attention and a 4x GELU MLP, a final LayerNorm, and an output head tied to the token
 * embedding. Parameter names and shapes are nanoGPT's {@code state_dict()} keys (the tied {@code lm_head.weight} is
 * the {@code transformer.wte.weight} parameter; model folders write both keys).
 *
 * <p>Initialisation follows nanoGPT: N(0, 0.02) for Linear weights and embeddings, N(0, 0.02/sqrt(2 n_layer)) for the
 * residual projections ({@code c_proj}), zero biases, unit LayerNorm gains.
 */
public final class Gpt implements Network<GptConfig> {
  private final GptConfig config;
  private final Parameters parameters;
  private final Variable wte; // (V, C)
  private final Variable wpe; // (blockSize, C)
  private final GptBlock[] blocks;
  private final Norm lnF;

  private Gpt(GptConfig config, Parameters parameters) {
    this.config = config;
    this.parameters = parameters;
    this.wte = parameters.get("transformer.wte.weight");
    this.wpe = parameters.get("transformer.wpe.weight");
    this.blocks = new GptBlock[config.numLayers()];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new GptBlock(parameters, config, i);
    }
    this.lnF = new Norm(parameters, "transformer.ln_f", GptConfig.LAYER_NORM_EPS);
  }

  /** A freshly initialised model; the same seed gives the same weights, bit for bit. */
  public static Gpt create(GptConfig config, long seed) {
    Gpt model = new Gpt(config, declare(config).build());
    model.initialise(seed);
    return model;
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
    for (int i = 0; i < config.numLayers(); i++) {
      GptBlock.declare(b, config, i);
    }
    Norm.declare(b, "transformer.ln_f", config.embedDim(), config.bias());
    return b;
  }

  private void initialise(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double residualStd = 0.02 / Math.sqrt(2.0 * config.numLayers());
    for (String name : parameters.names()) {
      Tensor t = parameters.get(name).value();
      if (name.endsWith("c_proj.weight")) {
        Init.normal(t, residualStd, rnd);
      } else if (t.rank() == 2) {
        Init.normal(t, 0.02, rnd);
      }
    }
    for (int i = 0; i < blocks.length; i++) {
      GptBlock.initialise(parameters, i);
    }
    Norm.initialise(parameters, "transformer.ln_f");
  }

  @Override
  public GptConfig config() {
    return config;
  }

  @Override
  public Parameters parameters() {
    return parameters;
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
    int[] positions = new int[time];
    for (int t = 0; t < time; t++) {
      positions[t] = start + t;
    }
    Variable tok = Embedding.lookup(g, wte, ids, batch, time); // (B, T, C)
    Variable pos = Embedding.lookup(g, wpe, positions, time); // (T, C)
    Variable x = Dropout.dropout(g, Elementwise.add(g, tok, pos), dropout, Seeds.site(seed, -1)); // (B, T, C)
    for (GptBlock block : blocks) {
      x = block.apply(g, x, batch, time, dropout, seed, cache);
    }
    x = lnF.apply(g, x); // (B, T, C)
    return MatMul.matmul(g, x, wte, false, true); // (B, T, V)
  }
}
