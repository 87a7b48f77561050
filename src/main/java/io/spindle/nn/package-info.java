/**
 * Transformer layers and models built from {@code io.spindle.autograd} ops, and model folders (config, safetensors,
 * tokenizer). Three model families: the GPT decoder language model ({@link io.spindle.nn.Gpt}), the encoder with a
 * classification head ({@link io.spindle.nn.EncoderClassifier}) and the encoder-decoder translation model
 * ({@link io.spindle.nn.EncoderDecoder}, decoded by {@link io.spindle.nn.Translator}). Each can also return the
 * attention probabilities of an inference pass, per layer and head ({@link io.spindle.nn.AttentionMaps};
 * {@link io.spindle.nn.EncoderDecoderAttention} for the encoder-decoder's three kinds), to look at.
 *
 * <p>Shape letters: B batch, T time, S source (encoder) positions, C channels (n_embd), NH heads, HS head size
 * (C / NH), V vocabulary, K classes.
 *
 * <p>May import {@code io.spindle.autograd}, {@code io.spindle.tensor} and {@code io.spindle.data}.
 */
package io.spindle.nn;
