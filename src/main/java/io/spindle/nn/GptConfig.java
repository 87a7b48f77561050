package io.spindle.nn;

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
 */
public record GptConfig(int vocabSize, int blockSize, int numLayers, int numHeads, int embedDim, double dropout,
    boolean bias) implements Serializable {
  private static final long serialVersionUID = 1L;


  /** LayerNorm epsilon, as PyTorch's default and nanoGPT. */
  public static final float LAYER_NORM_EPS = 1e-5f;

  public GptConfig {
    require(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
    require(blockSize > 0, "block_size must be positive, got " + blockSize);
    require(numLayers > 0, "n_layer must be positive, got " + numLayers);
    require(numHeads > 0, "n_head must be positive, got " + numHeads);
    require(embedDim > 0, "n_embd must be positive, got " + embedDim);
    require(embedDim % numHeads == 0,
        "n_embd (" + embedDim + ") must be divisible by n_head (" + numHeads + ")");
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
  }

  /** HS = C / NH. */
  public int headSize() {
    return embedDim / numHeads;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("GPT config: " + message);
    }
  }
}
