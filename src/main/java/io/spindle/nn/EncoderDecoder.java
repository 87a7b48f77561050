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
import io.spindle.data.PaddedBatch;
import io.spindle.data.TranslationBatch;
import io.spindle.tensor.Tensor;

/**
 * The encoder-decoder transformer of "Attention Is All You Need" (Vaswani et al. 2017) for translation. Inputs are
 * embedded, scaled by sqrt(d_model) and summed with {@link SinusoidalPositions} (section 3.4, 3.5); the encoder's
 * blocks attend over the unpadded source, the decoder's blocks attend causally to the target prefix and then to
 * the encoder output; a final projection gives next-token logits. LayerNorm placement, feed-forward activation and
 * embedding sharing follow the {@link EncoderDecoderConfig}.
 *
 * <p>Parameter names, in order: {@code shared.weight} (V, C) when source and target share a table, else
 * {@code encoder.wte.weight} and {@code decoder.wte.weight}; per encoder block i {@code encoder.h.i.ln_1},
 * {@code .attn.c_attn} (3C, C), {@code .attn.c_proj}, {@code .ln_2}, {@code .mlp.c_fc} (4C, C), {@code .mlp.c_proj};
 * {@code encoder.ln_f} (pre-LN only); per decoder block i {@code decoder.h.i.ln_1}, {@code .attn.c_attn},
 * {@code .attn.c_proj}, {@code .ln_2}, {@code .cross_attn.c_q} (C, C), {@code .cross_attn.c_kv} (2C, C),
 * {@code .cross_attn.c_proj}, {@code .ln_3}, {@code .mlp.c_fc}, {@code .mlp.c_proj}; {@code decoder.ln_f} (pre-LN
 * only); {@code lm_head.weight} (V, C) unless the output is tied to the target table. Layers have {@code .weight}
 * and, with biases, {@code .bias}.
 *
 * <p>Initialisation: embeddings N(0, 1/C) so that, scaled by sqrt(C), they have unit variance like the positions
 * (fairseq's convention; also sensible logits when the output is tied); Linear weights N(0, 0.02); residual
 * projections ({@code c_proj}) N(0, 0.02/sqrt(R)) with R the residual branches of their stack (2 per encoder
 * layer, 3 per decoder layer); zero biases, unit LayerNorm gains. Seeded and reproducible to the bit. With a tied
 * output the residual stream still carries the scaled input embedding, so at initialisation the logit of the input
 * token itself stands out (about sqrt(C)): the model starts by echoing its input, which larger models unlearn
 * during the paper's warm-up; tiny models learn faster untied.
 *
 * <p>Dropout: one pass seed for {@link #encode} and {@link #decode} together; their sites never collide.
 */
public final class EncoderDecoder extends NetworkBase<EncoderDecoderConfig> {
  private final Variable sourceEmbedding; // (V_src, C)
  private final Variable targetEmbedding; // (V, C)
  private final Variable outputWeight; // (V, C): the target table when tied
  private final Tensor sinusoids; // (max(maxSource, maxTarget), C)
  private final TransformerStack encoder;
  private final TransformerStack decoder;

  /** The encoder output for a batch of sources: states (B, S, C) and which source positions are padding. */
  public record Memory(Variable states, boolean[][] padding, int batch, int time) {}

  private EncoderDecoder(EncoderDecoderConfig config, Parameters parameters) {
    super(config, parameters);
    boolean shared = config.sharedEmbeddings();
    this.sourceEmbedding = parameters.get(shared ? "shared.weight" : "encoder.wte.weight");
    this.targetEmbedding = parameters.get(shared ? "shared.weight" : "decoder.wte.weight");
    this.outputWeight = config.tiedOutput() ? targetEmbedding : parameters.get("lm_head.weight");
    this.sinusoids = SinusoidalPositions.table(Math.max(config.maxSourceLength(), config.maxTargetLength()),
        config.embedDim());
    boolean relu = config.activation() == EncoderDecoderConfig.Activation.RELU;
    this.encoder = new TransformerStack(parameters, "encoder", config.numEncoderLayers(), config.numHeads(),
        config.normPlacement(), relu, false, false);
    this.decoder = new TransformerStack(parameters, "decoder", config.numDecoderLayers(), config.numHeads(),
        config.normPlacement(), relu, true, true);
  }

  /** A freshly initialised model; the same seed gives the same weights, bit for bit. */
  public static EncoderDecoder create(EncoderDecoderConfig config, long seed) {
    return initialised(new EncoderDecoder(config, declare(config).build()), seed);
  }

  /** A model over existing parameters (e.g. loaded from a model folder); their names and shapes must match. */
  public static EncoderDecoder of(EncoderDecoderConfig config, Parameters parameters) {
    Layouts.requireMatch("encoder-decoder", declare(config).build(), parameters);
    return new EncoderDecoder(config, parameters);
  }

  /** The parameter layout of a config, in the order of the class comment. */
  public static Parameters.Builder declare(EncoderDecoderConfig config) {
    int c = config.embedDim();
    Parameters.Builder b = Parameters.builder();
    if (config.sharedEmbeddings()) {
      b.add("shared.weight", config.targetVocabSize(), c);
    } else {
      b.add("encoder.wte.weight", config.sourceVocabSize(), c);
    }
    TransformerStack.declare(b, "encoder", config.numEncoderLayers(), c, config.bias(), config.normPlacement(), false);
    if (!config.sharedEmbeddings()) {
      b.add("decoder.wte.weight", config.targetVocabSize(), c);
    }
    TransformerStack.declare(b, "decoder", config.numDecoderLayers(), c, config.bias(), config.normPlacement(), true);
    if (!config.tiedOutput()) {
      b.add("lm_head.weight", config.targetVocabSize(), c);
    }
    return b;
  }

  @Override
  void initialise(long seed) {
    double encoderStd = Init.residualStd(2.0 * config.numEncoderLayers());
    double decoderStd = Init.residualStd(3.0 * config.numDecoderLayers());
    double embeddingStd = 1 / Math.sqrt(config.embedDim());
    Init.matrices(parameters, seed, name -> name.endsWith("c_proj.weight")
        ? name.startsWith("encoder.") ? encoderStd : decoderStd
        : name.equals("shared.weight") || name.endsWith(".wte.weight") ? embeddingStd : Init.STD);
    TransformerStack.initialise(parameters, "encoder", config.numEncoderLayers(), config.normPlacement(), false);
    TransformerStack.initialise(parameters, "decoder", config.numDecoderLayers(), config.normPlacement(), true);
  }

  /** Runs the encoder over a padded source batch; dropout only when {@code training}, drawn from {@code seed}. */
  public Memory encode(Graph g, PaddedBatch source, boolean training, long seed) {
    int b = source.batch();
    int s = source.time();
    if (s > config.maxSourceLength()) {
      throw new IllegalArgumentException("encoder-decoder: source length " + s + " exceeds max_source_length "
          + config.maxSourceLength());
    }
    float dropout = dropout(training);
    Variable x = InputEmbedding.apply(g, sourceEmbedding, null, sinusoids, source.ids(), b, s, 0, dropout,
        Seeds.site(seed, -1)); // (B, S, C)
    Variable states = encoder.apply(g, x, b, s, source.padding(), dropout, seed, 0, null); // (B, S, C)
    return new Memory(states, source.padding(), b, s);
  }

  /**
   * Next-token logits (B, T, V) for decoder inputs {@code targetIds} (B*T, row-major, starting with {@code <bos>})
   * given the encoder output; pass the same {@code training} and {@code seed} as to {@link #encode}.
   */
  public Variable decode(Graph g, Memory memory, int[] targetIds, int time, boolean training, long seed) {
    int b = memory.batch();
    if (time < 1 || targetIds.length != b * time) {
      throw new IllegalArgumentException("encoder-decoder: " + targetIds.length + " target ids for batch " + b
          + " x time " + time);
    }
    checkTargetLength(time);
    float dropout = dropout(training);
    Variable y = InputEmbedding.apply(g, targetEmbedding, null, sinusoids, targetIds, b, time, 0, dropout,
        Seeds.site(seed, -2)); // (B, T, C)
    y = decoder.decode(g, y, b, time, memory.states(), memory.padding(), dropout, seed,
        8 * config.numEncoderLayers(), null); // (B, T, C)
    return MatMul.matmul(g, y, outputWeight, false, true); // (B, T, V)
  }

  /** Teacher-forced logits (B, T, V) of a translation batch. */
  public Variable logits(Graph g, TranslationBatch batch, boolean training, long seed) {
    Memory memory = encode(g, batch.source(), training, seed);
    PaddedBatch input = batch.decoderInput();
    return decode(g, memory, input.ids(), input.time(), training, seed);
  }

  /**
   * The training loss: mean label-smoothed cross-entropy (the config's {@code labelSmoothing}) over the batch's
   * target tokens, padded positions ({@link Batch#IGNORE}) left out.
   */
  public Variable loss(Graph g, TranslationBatch batch, boolean training, long seed) {
    return loss(g, batch, training, seed, Reduction.MEAN, (float) config.labelSmoothing());
  }

  /**
   * Cross-entropy over the target tokens with a given reduction and label smoothing; smoothing 0 gives the plain
   * negative log-likelihood (for perplexity).
   */
  public Variable loss(Graph g, TranslationBatch batch, boolean training, long seed, Reduction reduction,
      float labelSmoothing) {
    Variable logits = logits(g, batch, training, seed); // (B, T, V)
    return CrossEntropy.crossEntropy(g, logits, batch.decoderTargets(), null, Batch.IGNORE, labelSmoothing,
        reduction);
  }

  /**
   * The attention probabilities of a teacher-forced pass over sources and decoder inputs ({@code targetIds}, B*T,
   * row-major, starting with {@code <bos>}), without dropout, on inference graphs that record them
   * ({@link AttentionRecorder}). To see what a translation attended to, pass {@code <bos>} followed by the translated
   * tokens: decoding with a cache computes the same probabilities one position at a time. Training passes are not
   * affected.
   */
  public EncoderDecoderAttention attention(PaddedBatch source, int[] targetIds, int time) {
    AttentionRecorder encoderRecorder = new AttentionRecorder();
    Memory memory = encode(Graph.inference(encoderRecorder), source, false, 0L);
    AttentionRecorder decoderRecorder = new AttentionRecorder();
    decode(Graph.inference(decoderRecorder), memory, targetIds, time, false, 0L);
    int layers = config.numDecoderLayers();
    // each decoder layer attends to itself, then to the memory (TransformerBlock.apply)
    return new EncoderDecoderAttention(
        AttentionMaps.recorded("encoder", encoderRecorder.probabilities(), 0, 1, config.numEncoderLayers()),
        AttentionMaps.recorded("decoder", decoderRecorder.probabilities(), 0, 2, layers),
        AttentionMaps.recorded("decoder", decoderRecorder.probabilities(), 1, 2, layers));
  }

  /**
   * An empty decoder cache for the memory's sources, holding each decoder layer's cross-attention keys and values.
   * Inference only: use an inference graph for {@link #encode} and here.
   */
  public DecoderCache newCache(Memory memory) {
    DecoderCache.Layer[] layers = decoder.cacheLayers(Graph.inference(), memory.states(), memory.batch(),
        memory.time());
    return new DecoderCache(layers, memory.padding(), memory.batch());
  }

  /**
   * Inference with a cache: logits (B, T, V) for {@code time} new decoder inputs per row ({@code ids}, B*T) that
   * follow the cached positions; the cache grows by {@code time}. The same as {@link #decode} over the whole prefix,
   * for the last T positions.
   */
  public Variable decodeStep(Graph g, DecoderCache cache, int[] ids, int time) {
    if (g.isRecording()) {
      throw new IllegalArgumentException("encoder-decoder: decodeStep is inference only, got a training graph");
    }
    int b = cache.batch();
    if (time < 1 || ids.length != b * time) {
      throw new IllegalArgumentException("encoder-decoder: " + ids.length + " ids for cache batch " + b
          + " x time " + time);
    }
    checkTargetLength(cache.length() + time);
    Variable y = InputEmbedding.apply(g, targetEmbedding, null, sinusoids, ids, b, time, cache.length(), 0f,
        0L); // (B, T, C)
    y = decoder.decode(g, y, b, time, null, cache.sourcePadding(), 0f, 0L, 0, cache); // (B, T, C)
    cache.advance(time);
    return MatMul.matmul(g, y, outputWeight, false, true); // (B, T, V)
  }

  /** Throws unless {@code positions} decoder positions fit in {@code max_target_length}. */
  private void checkTargetLength(int positions) {
    if (positions > config.maxTargetLength()) {
      throw new IllegalArgumentException("encoder-decoder: " + positions + " decoder positions exceed "
          + "max_target_length " + config.maxTargetLength());
    }
  }

  private float dropout(boolean training) {
    return training ? (float) config.dropout() : 0f;
  }
}
