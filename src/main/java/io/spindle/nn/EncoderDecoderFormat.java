package io.spindle.nn;

import static io.spindle.nn.ConfigCodec.Field.optional;
import static io.spindle.nn.ConfigCodec.Field.required;

/**
 * The files of an {@link EncoderDecoder}: {@code config.json} with {@code model_type} {@code "encoder-decoder"} and
 * the {@link EncoderDecoderConfig} fields under the names its javadoc gives, and {@code model.safetensors} holding
 * exactly the model's parameters (a tied output projection is one parameter, so it is not written twice). The
 * source tokenizer and, when the target has its own vocabulary, the target tokenizer are {@link ModelFolder}'s; the
 * target tokenizer must have exactly {@code target_vocab_size} tokens, since the model's output ids must all decode.
 *
 * <p>What the weights cannot reveal: {@code n_head}, {@code norm_placement} and {@code activation} change no
 * tensor's name or shape, so a {@code config.json} edited in those fields after training loads without error and
 * computes another function than the one trained. {@code dropout} and {@code label_smoothing} only matter for
 * further training. The other fields are checked against the tensors' names and shapes.
 */
public enum EncoderDecoderFormat implements ModelFormat<EncoderDecoderConfig, EncoderDecoder> {
  INSTANCE;

  public static final String MODEL_TYPE = "encoder-decoder";

  private static final ModelFamily<EncoderDecoderConfig, EncoderDecoder> FAMILY = new ModelFamily<>(
      new ConfigCodec<>(EncoderDecoderConfig.class, MODEL_TYPE, false,
          required("source_vocab_size", "sourceVocabSize"), required("target_vocab_size", "targetVocabSize"),
          required("max_source_length", "maxSourceLength"), required("max_target_length", "maxTargetLength"),
          required("n_encoder_layer", "numEncoderLayers"), required("n_decoder_layer", "numDecoderLayers"),
          required("n_head", "numHeads"), required("n_embd", "embedDim"), optional("dropout", "dropout", 0.0),
          optional("label_smoothing", "labelSmoothing", 0.0), optional("bias", "bias", true),
          optional("norm_placement", "normPlacement", NormPlacement.POST),
          optional("activation", "activation", EncoderDecoderConfig.Activation.RELU),
          optional("shared_embeddings", "sharedEmbeddings", false), optional("tie_output", "tiedOutput", true)),
      EncoderDecoder::declare, EncoderDecoder::of, c -> new int[] {c.sourceVocabSize(), c.targetVocabSize()}, true);

  @Override
  public ModelFamily<EncoderDecoderConfig, EncoderDecoder> family() {
    return FAMILY;
  }
}
