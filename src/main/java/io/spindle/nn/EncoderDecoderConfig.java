package io.spindle.nn;

import java.io.Serializable;

/**
 * Architecture of an {@link EncoderDecoder} translation model (Vaswani et al. 2017); {@code config.json} names in
 * brackets. The feed-forward width is 4C, the paper's d_ff = 2048 for d_model = 512.
 *
 * @param sourceVocabSize source tokens ({@code source_vocab_size})
 * @param targetVocabSize V, target tokens ({@code target_vocab_size})
 * @param maxSourceLength the longest source the model accepts ({@code max_source_length})
 * @param maxTargetLength the most decoder positions ({@code max_target_length}): {@code <bos>} plus the target,
 *     so also the most tokens a decoding produces, {@code <eos>} included
 * @param numEncoderLayers encoder blocks ({@code n_encoder_layer})
 * @param numDecoderLayers decoder blocks ({@code n_decoder_layer})
 * @param numHeads attention heads ({@code n_head}); must divide {@code embedDim}
 * @param embedDim C = d_model ({@code n_embd}); even, for the sinusoidal positions
 * @param dropout P_drop in [0, 1) ({@code dropout}): on the embedded inputs, attention probabilities and residual
 *     branches, while training only
 * @param labelSmoothing eps_ls in [0, 1] of the training loss ({@code label_smoothing}); the paper uses 0.1
 * @param bias whether Linear and LayerNorm layers have biases ({@code bias})
 * @param normPlacement post-LN as the paper or pre-LN ({@code norm_placement}: {@code "post"}, {@code "pre"})
 * @param activation of the feed-forward layers ({@code activation}: {@code "relu"} as the paper, {@code "gelu"})
 * @param sharedEmbeddings one embedding table {@code shared.weight} for source and target
 *     ({@code shared_embeddings}); needs equal vocabulary sizes (a joint vocabulary)
 * @param tiedOutput whether the output projection is the target embedding table ({@code tie_output}) rather than a
 *     separate {@code lm_head.weight} (V, C)
 */
public record EncoderDecoderConfig(int sourceVocabSize, int targetVocabSize, int maxSourceLength,
    int maxTargetLength, int numEncoderLayers, int numDecoderLayers, int numHeads, int embedDim, double dropout,
    double labelSmoothing, boolean bias, NormPlacement normPlacement, Activation activation,
    boolean sharedEmbeddings, boolean tiedOutput) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ConfigChecks CHECK = new ConfigChecks("encoder-decoder");

  /** The feed-forward layers' nonlinearity. */
  public enum Activation {
    /** {@code max(0, x)}, the paper's choice (eq. 2). */
    RELU,
    /** The exact GELU, as BERT and GPT-2. */
    GELU
  }

  public EncoderDecoderConfig {
    CHECK.positive("source_vocab_size", sourceVocabSize);
    CHECK.positive("target_vocab_size", targetVocabSize);
    CHECK.positive("max_source_length", maxSourceLength);
    CHECK.positive("max_target_length", maxTargetLength);
    CHECK.positive("n_encoder_layer", numEncoderLayers);
    CHECK.positive("n_decoder_layer", numDecoderLayers);
    CHECK.heads(numHeads, embedDim);
    CHECK.require(embedDim % 2 == 0, "n_embd must be even for the sinusoidal positions, got " + embedDim);
    CHECK.dropout(dropout);
    CHECK.require(labelSmoothing >= 0 && labelSmoothing <= 1,
        "label_smoothing must be in [0, 1], got " + labelSmoothing);
    CHECK.require(normPlacement != null, "norm_placement must be set (pre or post)");
    CHECK.require(activation != null, "activation must be set (relu or gelu)");
    CHECK.require(!sharedEmbeddings || sourceVocabSize == targetVocabSize,
        "shared embeddings need equal vocabularies, got source_vocab_size " + sourceVocabSize
            + " and target_vocab_size " + targetVocabSize);
  }

  /**
   * The paper's base choices at the given size: post-LN, ReLU, dropout 0.1, label smoothing 0.1, biases, output
   * projection tied to the target embedding. Source and target embeddings are separate; the paper shares them too
   * over a joint vocabulary, see {@link #withEmbeddings}.
   */
  public static EncoderDecoderConfig of(int sourceVocabSize, int targetVocabSize, int maxSourceLength,
      int maxTargetLength, int numLayers, int numHeads, int embedDim) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength, numLayers,
        numLayers, numHeads, embedDim, 0.1, 0.1, true, NormPlacement.POST, Activation.RELU, false, true);
  }

  public EncoderDecoderConfig withDropout(double newDropout) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, newDropout, labelSmoothing, bias, normPlacement,
        activation, sharedEmbeddings, tiedOutput);
  }

  public EncoderDecoderConfig withLabelSmoothing(double newLabelSmoothing) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, newLabelSmoothing, bias, normPlacement,
        activation, sharedEmbeddings, tiedOutput);
  }

  public EncoderDecoderConfig withBias(boolean newBias) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, newBias, normPlacement,
        activation, sharedEmbeddings, tiedOutput);
  }

  public EncoderDecoderConfig withNormPlacement(NormPlacement newPlacement) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, bias, newPlacement,
        activation, sharedEmbeddings, tiedOutput);
  }

  public EncoderDecoderConfig withActivation(Activation newActivation) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, bias, normPlacement,
        newActivation, sharedEmbeddings, tiedOutput);
  }

  /** Whether source and target share one table, and whether the output projection is the target table. */
  public EncoderDecoderConfig withEmbeddings(boolean shared, boolean tied) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, bias, normPlacement,
        activation, shared, tied);
  }

  public EncoderDecoderConfig withLayers(int newEncoderLayers, int newDecoderLayers) {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        newEncoderLayers, newDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, bias, normPlacement,
        activation, sharedEmbeddings, tiedOutput);
  }

  /** HS = C / NH. */
  public int headSize() {
    return embedDim / numHeads;
  }
}
