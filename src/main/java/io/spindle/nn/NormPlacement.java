package io.spindle.nn;

/**
 * Where a transformer block puts its LayerNorms relative to the residual connections.
 *
 * <ul>
 *   <li>{@link #PRE}: {@code x + Sublayer(LayerNorm(x))}, with one more LayerNorm after the last block (GPT-2,
 *       nanoGPT; Xiong et al. 2020). Trains stably without learning-rate warm-up.
 *   <li>{@link #POST}: {@code LayerNorm(x + Sublayer(x))}, as in "Attention Is All You Need" (Vaswani et al. 2017,
 *       section 5.4); the last block's output is already normalised, so there is no final LayerNorm.
 * </ul>
 */
public enum NormPlacement {
  PRE,
  POST
}
