package io.spindle.nn;

import java.io.Serializable;

/**
 * Architecture of an {@link EncoderClassifier}: a bidirectional transformer encoder over padded token sequences with
 * a pooled classification head. Field names in {@code config.json} are given in brackets.
 *
 * @param vocabSize V, tokens in the vocabulary ({@code vocab_size})
 * @param maxLength the longest sequence the model accepts; the size of the learned position table
 *     ({@code max_length})
 * @param numLayers encoder blocks ({@code n_layer})
 * @param numHeads attention heads per block ({@code n_head}); must divide {@code embedDim}
 * @param embedDim C, the residual stream width ({@code n_embd}); even for sinusoidal positions
 * @param numClasses K, classes of the head ({@code num_classes}), at least 2
 * @param dropout dropout probability while training, in [0, 1) ({@code dropout}): on the embeddings, the attention
 *     probabilities and every residual branch
 * @param bias whether Linear and LayerNorm layers have biases ({@code bias}), the classifier head included
 * @param positions learned or sinusoidal positions ({@code positions}: {@code "learned"}, {@code "sinusoidal"})
 * @param pooling how the head summarises a sequence ({@code pooling}: {@code "mean"}, {@code "first"})
 * @param normPlacement pre-LN or post-LN blocks ({@code norm_placement}: {@code "pre"}, {@code "post"})
 * @param backbone bidirectional encoder blocks or a causal GPT body ({@code backbone}: {@code "encoder"},
 *     {@code "gpt"}; a folder without the field is an encoder)
 */
public record EncoderConfig(int vocabSize, int maxLength, int numLayers, int numHeads, int embedDim, int numClasses,
    double dropout, boolean bias, Positions positions, Pooling pooling, NormPlacement normPlacement,
    Backbone backbone) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ConfigChecks CHECK = new ConfigChecks("encoder");

  /** Position information added to the token embeddings. */
  public enum Positions {
    /**
     * A learned table {@code encoder.wpe.weight} (maxLength, C), added to token embeddings initialised N(0, 0.02),
     * as in GPT-2 and BERT.
     */
    LEARNED,
    /**
     * The fixed {@link SinusoidalPositions} of Vaswani et al., with the paper's input layer: token embeddings
     * initialised N(0, 1/C) and multiplied by sqrt(C), so they have about the encodings' unit scale. No parameter.
     */
    SINUSOIDAL
  }

  /** How the final hidden states (B, T, C) become one vector (B, C) per sequence for the head. */
  public enum Pooling {
    /** The mean over the sequence's non-padded positions. */
    MEAN,
    /** The first position's state (BERT's {@code [CLS]} convention; put a class token first). */
    FIRST,
    /**
     * The last non-padded position's state: under causal attention ({@link Backbone#GPT}) the only one that has
     * read the whole sequence (GPT-1's classification head).
     */
    LAST
  }

  /** The transformer under the head. */
  public enum Backbone {
    /** Bidirectional blocks whose attention skips padded keys; parameters under {@code encoder.}. */
    ENCODER("encoder"),
    /**
     * A GPT body: causal self-attention (position t reads positions 0..t), pre-LN blocks, learned positions and a
     * final LayerNorm, with exactly {@link Gpt}'s parameter names and shapes ({@code transformer.wte.weight},
     * {@code transformer.h.i...}, {@code transformer.ln_f}), so a pretrained language model's weights load by name
     * ({@link EncoderClassifier#fromLanguageModel}). Padding comes after the real tokens, which therefore never
     * attend to it.
     */
    GPT("transformer");

    private final String prefix;

    Backbone(String prefix) {
      this.prefix = prefix;
    }

    /** The name prefix of the backbone's parameters (without the dot). */
    public String prefix() {
      return prefix;
    }
  }

  public EncoderConfig {
    CHECK.positive("vocab_size", vocabSize);
    CHECK.positive("max_length", maxLength);
    CHECK.positive("n_layer", numLayers);
    CHECK.heads(numHeads, embedDim);
    CHECK.require(numClasses >= 2, "num_classes must be at least 2, got " + numClasses);
    CHECK.dropout(dropout);
    CHECK.require(positions != null, "positions must be set (learned or sinusoidal)");
    CHECK.require(pooling != null, "pooling must be set (mean or first)");
    CHECK.require(normPlacement != null, "norm_placement must be set (pre or post)");
    CHECK.require(backbone != null, "backbone must be set (encoder or gpt)");
    CHECK.require(
        backbone != Backbone.GPT || (positions == Positions.LEARNED && normPlacement == NormPlacement.PRE),
        "the gpt backbone has learned positions and pre-LN blocks, got " + positions + " and " + normPlacement);
    CHECK.require(positions != Positions.SINUSOIDAL || embedDim % 2 == 0,
        "sinusoidal positions need an even n_embd, got " + embedDim);
  }

  /** An encoder backbone: learned positions, mean pooling, pre-LN blocks with biases, no dropout. */
  public static EncoderConfig of(int vocabSize, int maxLength, int numLayers, int numHeads, int embedDim,
      int numClasses) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, 0.0, true,
        Positions.LEARNED, Pooling.MEAN, NormPlacement.PRE, Backbone.ENCODER);
  }

  public EncoderConfig withDropout(double newDropout) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, newDropout, bias,
        positions, pooling, normPlacement, backbone);
  }

  public EncoderConfig withBias(boolean newBias) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, newBias,
        positions, pooling, normPlacement, backbone);
  }

  public EncoderConfig withPositions(Positions newPositions) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        newPositions, pooling, normPlacement, backbone);
  }

  public EncoderConfig withPooling(Pooling newPooling) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        positions, newPooling, normPlacement, backbone);
  }

  public EncoderConfig withNormPlacement(NormPlacement newPlacement) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        positions, pooling, newPlacement, backbone);
  }

  public EncoderConfig withBackbone(Backbone newBackbone) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        positions, pooling, normPlacement, newBackbone);
  }

  /** HS = C / NH. */
  public int headSize() {
    return embedDim / numHeads;
  }
}
