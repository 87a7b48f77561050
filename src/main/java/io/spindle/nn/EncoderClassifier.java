package io.spindle.nn;

import io.spindle.autograd.AttentionRecorder;
import io.spindle.autograd.CrossEntropy;
import io.spindle.autograd.Dropout;
import io.spindle.autograd.Graph;
import io.spindle.autograd.MatMul;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Shapes;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;
import io.spindle.data.PaddedBatch;
import io.spindle.tensor.Tensor;

/**
 * A transformer encoder with a classification head, for labelling whole sequences: token embeddings plus positions,
 * {@link EncoderConfig#numLayers()} blocks whose attention ignores padded positions (4x GELU MLP), a final LayerNorm
 * (pre-LN only), a pooling step (mean over the non-padded positions, the first position, or the last non-padded one)
 * and a Linear head to K class logits. The blocks are bidirectional, or causal with the {@link
 * EncoderConfig.Backbone#GPT GPT backbone}, whose body is exactly a {@link Gpt}'s (GPT-1's recipe: pretrain the
 * language model, then fine-tune it with a new head; {@link #fromLanguageModel}).
 *
 * <p>Parameter names, in order, following the GPT-2 scheme under an {@code encoder.} prefix ({@code transformer.}
 * with the GPT backbone, the prefix of {@link Gpt}'s names):
 * {@code encoder.wte.weight} (V, C); {@code encoder.wpe.weight} (maxLength, C), learned positions only;
 * per block i {@code encoder.h.i.ln_1}, {@code encoder.h.i.attn.c_attn} (3C, C), {@code encoder.h.i.attn.c_proj},
 * {@code encoder.h.i.ln_2}, {@code encoder.h.i.mlp.c_fc} (4C, C), {@code encoder.h.i.mlp.c_proj} (C, 4C), each with
 * {@code .weight} and, with biases, {@code .bias}; {@code encoder.ln_f} (pre-LN only); {@code classifier.weight}
 * (K, C) and {@code classifier.bias} (K).
 *
 * <p>Initialisation (seeded, bit-for-bit reproducible) follows nanoGPT: N(0, 0.02) for Linear weights and learned
 * embeddings, N(0, 0.02/sqrt(2 n_layer)) for the residual projections ({@code c_proj}), zero biases, unit
 * LayerNorm gains; with sinusoidal positions the token embeddings are N(0, 1/C) (see
 * {@link EncoderConfig.Positions#SINUSOIDAL}).
 *
 * <p>Padding (from {@link PaddedBatch#padding()}, true = padded) never changes the result for the real tokens: padded
 * keys get zero attention and pooling skips them. Every sequence needs at least one real token.
 */
public final class EncoderClassifier extends NetworkBase<EncoderConfig> {
  private final Variable wte; // (V, C)
  private final Variable wpe; // (maxLength, C), learned positions only
  private final Tensor sinusoids; // (maxLength, C), sinusoidal positions only
  private final TransformerStack encoder;
  private final Linear head; // (K, C)

  private EncoderClassifier(EncoderConfig config, Parameters parameters) {
    super(config, parameters);
    String prefix = config.backbone().prefix();
    this.wte = parameters.get(prefix + ".wte.weight");
    boolean learned = config.positions() == EncoderConfig.Positions.LEARNED;
    this.wpe = learned ? parameters.get(prefix + ".wpe.weight") : null;
    this.sinusoids = learned ? null : SinusoidalPositions.table(config.maxLength(), config.embedDim());
    this.encoder = new TransformerStack(parameters, prefix, config.numLayers(), config.numHeads(),
        config.normPlacement(), false, config.backbone() == EncoderConfig.Backbone.GPT, false);
    this.head = new Linear(parameters, "classifier");
  }

  /** A freshly initialised model; the same seed gives the same weights, bit for bit. */
  public static EncoderClassifier create(EncoderConfig config, long seed) {
    return initialised(new EncoderClassifier(config, declare(config).build()), seed);
  }

  /** A model over existing parameters (e.g. loaded from a model folder); their names and shapes must match. */
  public static EncoderClassifier of(EncoderConfig config, Parameters parameters) {
    Layouts.requireMatch("encoder classifier", declare(config).build(), parameters);
    return new EncoderClassifier(config, parameters);
  }

  /**
   * A classifier whose GPT backbone starts as a copy of {@code lm}'s weights and whose head is new (initialised from
   * {@code seed} as {@link #create} does): {@code config} must be {@code lm}'s architecture with the
   * {@link EncoderConfig.Backbone#GPT GPT backbone} ({@link #gptConfig}). Parameters are copied by name; the position
   * table's first {@code config.maxLength()} rows are the language model's. {@code lm} is not changed.
   */
  public static EncoderClassifier fromLanguageModel(Gpt lm, EncoderConfig config, long seed) {
    GptConfig g = lm.config();
    if (!config.equals(gptConfig(g, config.maxLength(), config.numClasses(), config.pooling(), config.dropout()))) {
      throw new IllegalArgumentException("encoder classifier: config " + config + " is not the GPT backbone of the "
          + "language model's " + g);
    }
    EncoderClassifier model = create(config, seed);
    Parameters from = lm.parameters();
    for (String name : model.parameters.names()) {
      if (!from.contains(name)) {
        continue; // the head
      }
      Tensor source = from.get(name).value();
      if (name.endsWith(".wpe.weight")) {
        source = source.narrow(0, config.maxLength()); // (maxLength, C)
      }
      model.parameters.get(name).value().copyFrom(source);
    }
    return model;
  }

  /**
   * The classifier config of a GPT backbone with {@code lm}'s architecture (vocabulary, layers, heads, width,
   * biases), reading up to {@code maxLength} tokens (at most the language model's block size).
   */
  public static EncoderConfig gptConfig(GptConfig lm, int maxLength, int numClasses, EncoderConfig.Pooling pooling,
      double dropout) {
    if (maxLength > lm.blockSize()) {
      throw new IllegalArgumentException("encoder classifier: max_length " + maxLength + " exceeds the language "
          + "model's block_size " + lm.blockSize());
    }
    return new EncoderConfig(lm.vocabSize(), maxLength, lm.numLayers(), lm.numHeads(), lm.embedDim(), numClasses,
        dropout, lm.bias(), EncoderConfig.Positions.LEARNED, pooling, NormPlacement.PRE,
        EncoderConfig.Backbone.GPT);
  }

  /** The parameter layout of a config, in the order of the class comment. */
  public static Parameters.Builder declare(EncoderConfig config) {
    int c = config.embedDim();
    String prefix = config.backbone().prefix();
    Parameters.Builder b = Parameters.builder();
    b.add(prefix + ".wte.weight", config.vocabSize(), c);
    if (config.positions() == EncoderConfig.Positions.LEARNED) {
      b.add(prefix + ".wpe.weight", config.maxLength(), c);
    }
    TransformerStack.declare(b, prefix, config.numLayers(), c, config.bias(), config.normPlacement(), false);
    Linear.declare(b, "classifier", c, config.numClasses(), config.bias());
    return b;
  }

  @Override
  void initialise(long seed) {
    double residualStd = Init.residualStd(2.0 * config.numLayers());
    double tokenStd = sinusoids != null ? 1 / Math.sqrt(config.embedDim()) : Init.STD; // see Positions.SINUSOIDAL
    Init.matrices(parameters, seed, name -> name.endsWith("c_proj.weight") ? residualStd
        : name.endsWith(".wte.weight") ? tokenStd : Init.STD);
    TransformerStack.initialise(parameters, config.backbone().prefix(), config.numLayers(),
        config.normPlacement(), false);
  }

  /**
   * The final hidden states (B, T, C) of a padded batch (rows at padded positions are computed but meaningless).
   * Dropout is applied only when {@code training} and the config's dropout is non-zero, drawn from {@code seed}.
   */
  public Variable encode(Graph g, PaddedBatch batch, boolean training, long seed) {
    int b = batch.batch();
    int t = batch.time();
    if (t > config.maxLength()) {
      throw new IllegalArgumentException("encoder classifier: sequence length " + t + " exceeds max_length "
          + config.maxLength());
    }
    float dropout = training ? (float) config.dropout() : 0f;
    Variable x = InputEmbedding.apply(g, wte, wpe, sinusoids, batch.ids(), b, t, 0, dropout,
        Seeds.site(seed, -1)); // (B, T, C)
    return encoder.apply(g, x, b, t, batch.padding(), dropout, seed, 0, null); // (B, T, C)
  }

  /**
   * The attention probabilities of every encoder layer for a padded batch, from a pass without dropout on an
   * inference graph that records them ({@link AttentionRecorder}): layer l's (B, NH, T, T), where padded keys get 0
   * (padded query rows attend to the real tokens like any other). Training passes are not affected.
   */
  public AttentionMaps attention(PaddedBatch batch) {
    AttentionRecorder recorder = new AttentionRecorder();
    encode(Graph.inference(recorder), batch, false, 0L);
    return AttentionMaps.recorded("encoder classifier", recorder.probabilities(), 0, 1, config.numLayers());
  }

  /** Class logits (B, K) of a padded batch; see {@link #encode} for dropout. */
  public Variable logits(Graph g, PaddedBatch batch, boolean training, long seed) {
    Variable h = encode(g, batch, training, seed); // (B, T, C)
    Variable weights = Variable.constant(poolingWeights(batch)); // (B, 1, T)
    Variable pooled = MatMul.matmul(g, weights, h); // (B, 1, C)
    pooled = Shapes.reshape(g, pooled, batch.batch(), config.embedDim()); // (B, C)
    return head.apply(g, pooled); // (B, K)
  }

  /** Mean cross-entropy of the class {@code labels} (B, each in [0, K), or {@link Batch#IGNORE} to skip a row). */
  public Variable loss(Graph g, PaddedBatch batch, int[] labels, boolean training, long seed) {
    return loss(g, batch, labels, training, seed, Reduction.MEAN);
  }

  /** Cross-entropy of the class {@code labels}, averaged or summed over the batch as {@code reduction} says. */
  public Variable loss(Graph g, PaddedBatch batch, int[] labels, boolean training, long seed, Reduction reduction) {
    if (labels.length != batch.batch()) {
      throw new IllegalArgumentException("encoder classifier: " + labels.length + " labels for a batch of "
          + batch.batch());
    }
    Variable logits = logits(g, batch, training, seed); // (B, K)
    return CrossEntropy.crossEntropy(g, logits, labels, null, Batch.IGNORE, 0f, reduction);
  }

  /** The most likely class of each sequence (argmax of the logits, no dropout, nothing recorded). */
  public int[] predict(PaddedBatch batch) {
    Tensor logits = logits(Graph.inference(), batch, false, 0L).value(); // (B, K)
    int k = config.numClasses();
    int[] classes = new int[batch.batch()];
    for (int b = 0; b < classes.length; b++) {
      for (int j = 1; j < k; j++) {
        if (logits.get(b * k + j) > logits.get(b * k + classes[b])) {
          classes[b] = j;
        }
      }
    }
    return classes;
  }

  /**
   * Row b of the (B, 1, T) pooling matrix: 1/n at the n non-padded positions (mean), 1 at position 0 (first), or 1
   * at the last non-padded position (last).
   */
  private Tensor poolingWeights(PaddedBatch batch) {
    int t = batch.time();
    Tensor w = Tensor.zeros(batch.batch(), 1, t); // (B, 1, T)
    for (int b = 0; b < batch.batch(); b++) {
      boolean[] padded = batch.padding()[b];
      int n = 0;
      for (int i = 0; i < t; i++) {
        n += padded[i] ? 0 : 1;
      }
      if (n == 0 || (config.pooling() == EncoderConfig.Pooling.FIRST && padded[0])) {
        throw new IllegalArgumentException("encoder classifier: sequence " + b + " has no token to pool"
            + (n == 0 ? " (every position is padding)" : " (its first position is padding)"));
      }
      if (config.pooling() == EncoderConfig.Pooling.FIRST) {
        w.set(b * t, 1f);
        continue;
      }
      if (config.pooling() == EncoderConfig.Pooling.LAST) {
        int last = t - 1;
        while (padded[last]) {
          last--;
        }
        w.set(b * t + last, 1f);
        continue;
      }
      for (int i = 0; i < t; i++) {
        w.set(b * t + i, padded[i] ? 0f : 1f / n);
      }
    }
    return w;
  }
}
