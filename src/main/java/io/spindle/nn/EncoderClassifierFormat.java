package io.spindle.nn;

import static io.spindle.nn.ConfigCodec.Field.omittedAt;
import static io.spindle.nn.ConfigCodec.Field.optional;
import static io.spindle.nn.ConfigCodec.Field.required;

/**
 * The files of an {@link EncoderClassifier}: {@code config.json} with {@code model_type}
 * {@code "encoder-classifier"} and the {@link EncoderConfig} fields under the names its javadoc gives, and
 * {@code model.safetensors} holding exactly the model's parameters under their names. {@code backbone} is
 * written only for the GPT backbone: a config without it is an encoder, so encoder folders are the same bytes as
 * before the field existed. Its tokenizer may have fewer tokens than {@code vocab_size} (a classifier's vocabulary
 * can be set larger than the tokenizer's), never more.
 *
 * <p>What the weights cannot reveal: {@code n_head}, {@code pooling} and {@code norm_placement} change no tensor's
 * name or shape, so a {@code config.json} edited in those fields after training loads without error and computes
 * another function than the one trained. {@code dropout} only matters for further training. The other fields are
 * checked against the tensors ({@code positions} and {@code backbone} through the presence of their tensors).
 */
public enum EncoderClassifierFormat implements ModelFormat<EncoderConfig, EncoderClassifier> {
  INSTANCE;

  public static final String MODEL_TYPE = "encoder-classifier";

  private static final ModelFamily<EncoderConfig, EncoderClassifier> FAMILY = new ModelFamily<>(
      new ConfigCodec<>(EncoderConfig.class, MODEL_TYPE, false,
          required("vocab_size", "vocabSize"), required("max_length", "maxLength"), required("n_layer", "numLayers"),
          required("n_head", "numHeads"), required("n_embd", "embedDim"), required("num_classes", "numClasses"),
          optional("dropout", "dropout", 0.0), optional("bias", "bias", true),
          optional("positions", "positions", EncoderConfig.Positions.LEARNED),
          optional("pooling", "pooling", EncoderConfig.Pooling.MEAN),
          optional("norm_placement", "normPlacement", NormPlacement.PRE),
          omittedAt("backbone", "backbone", EncoderConfig.Backbone.ENCODER)), // encoder folders predate the field
      EncoderClassifier::declare, EncoderClassifier::of, c -> new int[] {c.vocabSize(), c.vocabSize()}, false);

  @Override
  public ModelFamily<EncoderConfig, EncoderClassifier> family() {
    return FAMILY;
  }
}
