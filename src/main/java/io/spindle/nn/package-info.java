/**
 * Transformer layers and models built from {@code io.spindle.autograd} ops, and model folders (config, safetensors,
 * tokenizer).
 *
 * <p>Shape letters: B batch, T time, C channels (n_embd), NH heads, HS head size (C / NH), V vocabulary.
 *
 * <p>May import {@code io.spindle.autograd}, {@code io.spindle.tensor} and {@code io.spindle.data}.
 */
package io.spindle.nn;
