package io.spindle.nn;

/**
 * The attention probabilities of one encoder-decoder pass ({@link EncoderDecoder#attention}), one
 * {@link AttentionMaps} per kind of attention.
 *
 * @param encoderSelf the encoder's self-attention, (B, NH, S, S) per encoder layer: padded source keys get 0
 * @param decoderSelf the decoder's masked self-attention, (B, NH, T, T) per decoder layer: later target positions
 *     get 0
 * @param cross the decoder's attention to the encoder output, (B, NH, T, S) per decoder layer: target queries
 *     down, source keys across; padded source keys get 0
 */
public record EncoderDecoderAttention(AttentionMaps encoderSelf, AttentionMaps decoderSelf, AttentionMaps cross) {}
