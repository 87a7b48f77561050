package io.spindle.nn;

import io.spindle.tensor.Storage;
import java.io.Serializable;

/**
 * Architecture of a GPT decoder language model, with nanoGPT's {@code GPTConfig} field meanings.
 *
 * @param vocabSize V, tokens in the vocabulary ({@code vocab_size})
 * @param blockSize longest context the model sees, the size of the position table ({@code block_size})
 * @param numLayers transformer blocks ({@code n_layer})
 * @param numHeads attention heads per block ({@code n_head}); must divide {@code embedDim}
 * @param embedDim C, the residual stream width ({@code n_embd})
 * @param dropout dropout probability used while training, in [0, 1) ({@code dropout})
 * @param bias whether Linear and LayerNorm layers have biases ({@code bias})
 *
 * <p>A config whose {@link #parameterCount()} exceeds {@link Storage#MAX_LENGTH} is refused: the parameters live in
 * one flat buffer ({@code Parameters}), so such a model cannot be built on any machine. Whether it fits the memory of
 * this one is for the caller to check ({@link GptMemory}).
 */
public record GptConfig(int vocabSize, int blockSize, int numLayers, int numHeads, int embedDim, double dropout,
    boolean bias) implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ConfigChecks CHECK = new ConfigChecks("GPT");

  /** LayerNorm epsilon, as PyTorch's default and nanoGPT. */
  public static final float LAYER_NORM_EPS = 1e-5f;

  public GptConfig {
    CHECK.positive("vocab_size", vocabSize);
    CHECK.positive("block_size", blockSize);
    CHECK.positive("n_layer", numLayers);
    CHECK.heads(numHeads, embedDim);
    CHECK.dropout(dropout);
    double count = parameterCount(vocabSize, blockSize, numLayers, embedDim, bias);
    CHECK.require(count <= Storage.MAX_LENGTH, String.format("n_layer %d, n_embd %d, vocab_size %d and block_size %d "
        + "make %,.0f parameters, more than the %,d that one parameter buffer holds", numLayers, embedDim, vocabSize,
        blockSize, count, Storage.MAX_LENGTH));
  }

  /**
   * The number of parameters, nanoGPT's layout counted without building it: the token and position tables
   * ({@code V C + T C}), per block two LayerNorms, the attention's (C, 3C) and (C, C) and the MLP's (C, 4C) and
   * (4C, C) Linears ({@code 12 C^2}, plus {@code 13 C} of biases and LayerNorm shifts, or only the {@code 2 C}
   * LayerNorm gains without biases), and the final LayerNorm. The output head is tied to the token table.
   */
  public long parameterCount() {
    return (long) parameterCount(vocabSize, blockSize, numLayers, embedDim, bias); // exact: below 2^31 here
  }

  /**
   * {@link #parameterCount()} of a config with these fields, computed in double precision so that it cannot
   * overflow: for checking sizes before a config is made.
   */
  public static double parameterCount(double v, double t, double layers, double c, boolean bias) {
    double perLayer = 12 * c * c + (bias ? 13 : 2) * c;
    return v * c + t * c + layers * perLayer + (bias ? 2 : 1) * c;
  }

  /** HS = C / NH. */
  public int headSize() {
    return embedDim / numHeads;
  }
}
