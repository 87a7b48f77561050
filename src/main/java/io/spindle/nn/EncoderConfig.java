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
 */
public record EncoderConfig(int vocabSize, int maxLength, int numLayers, int numHeads, int embedDim, int numClasses,
    double dropout, boolean bias, Positions positions, Pooling pooling, NormPlacement normPlacement) implements Serializable {
  private static final long serialVersionUID = 1L;


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
    FIRST
  }

  public EncoderConfig {
    require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
    require(maxLength > 0, "max_length must be positive, got " + maxLength);
    require(numLayers > 0, "n_layer must be positive, got " + numLayers);
    require(numHeads > 0, "n_head must be positive, got " + numHeads);
    require(embedDim > 0, "n_embd must be positive, got " + embedDim);
    require(embedDim % numHeads == 0,
        "n_embd (" + embedDim + ") must be divisible by n_head (" + numHeads + ")");
    require(numClasses >= 2, "num_classes must be at least 2, got " + numClasses);
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
    require(positions != null, "positions must be set (learned or sinusoidal)");
    require(pooling != null, "pooling must be set (mean or first)");
    require(normPlacement != null, "norm_placement must be set (pre or post)");
    require(positions != Positions.SINUSOIDAL || embedDim % 2 == 0,
        "sinusoidal positions need an even n_embd, got " + embedDim);
  }

  /** Learned positions, mean pooling, pre-LN blocks with biases, no dropout. */
  public static EncoderConfig of(int vocabSize, int maxLength, int numLayers, int numHeads, int embedDim,
      int numClasses) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, 0.0, true,
        Positions.LEARNED, Pooling.MEAN, NormPlacement.PRE);
  }

  public EncoderConfig withDropout(double newDropout) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, newDropout, bias,
        positions, pooling, normPlacement);
  }

  public EncoderConfig withBias(boolean newBias) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, newBias,
        positions, pooling, normPlacement);
  }

  public EncoderConfig withPositions(Positions newPositions) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        newPositions, pooling, normPlacement);
  }

  public EncoderConfig withPooling(Pooling newPooling) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        positions, newPooling, normPlacement);
  }

  public EncoderConfig withNormPlacement(NormPlacement newPlacement) {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        positions, pooling, newPlacement);
  }

  /** HS = C / NH. */
  public int headSize() {
    return embedDim / numHeads;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("encoder config: " + message);
    }
  }
}
