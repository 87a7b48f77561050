package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

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

  @Override
  public String modelType() {
    return MODEL_TYPE;
  }

  @Override
  public Parameters.Builder declare(EncoderConfig config) {
    return EncoderClassifier.declare(config);
  }

  @Override
  public EncoderClassifier assemble(EncoderConfig config, Parameters weights) {
    return EncoderClassifier.of(config, weights);
  }

  @Override
  public int[] vocabSizes(EncoderConfig config) {
    return new int[] {config.vocabSize(), config.vocabSize()};
  }

  @Override
  public void writeConfig(EncoderConfig c, OutputStream out) throws IOException {
    ObjectNode o = ConfigJson.create(MODEL_TYPE);
    o.put("vocab_size", c.vocabSize());
    o.put("max_length", c.maxLength());
    o.put("n_layer", c.numLayers());
    o.put("n_head", c.numHeads());
    o.put("n_embd", c.embedDim());
    o.put("num_classes", c.numClasses());
    o.put("dropout", c.dropout());
    o.put("bias", c.bias());
    o.put("positions", ConfigJson.name(c.positions()));
    o.put("pooling", ConfigJson.name(c.pooling()));
    o.put("norm_placement", ConfigJson.name(c.normPlacement()));
    if (c.backbone() != EncoderConfig.Backbone.ENCODER) {
      o.put("backbone", ConfigJson.name(c.backbone())); // encoder folders keep the bytes they had before the field
    }
    ConfigJson.write(o, out);
  }

  @Override
  public EncoderConfig readConfig(InputStream in, Object source) throws IOException {
    JsonNode o = ConfigJson.read(in, source, MODEL_TYPE, false);
    return ConfigJson.build(source, () -> new EncoderConfig(ConfigJson.intField(o, "vocab_size", source),
        ConfigJson.intField(o, "max_length", source), ConfigJson.intField(o, "n_layer", source),
        ConfigJson.intField(o, "n_head", source), ConfigJson.intField(o, "n_embd", source),
        ConfigJson.intField(o, "num_classes", source), ConfigJson.doubleField(o, "dropout", 0.0, source),
        ConfigJson.booleanField(o, "bias", true, source),
        ConfigJson.enumField(o, "positions", EncoderConfig.Positions.class, EncoderConfig.Positions.LEARNED, source),
        ConfigJson.enumField(o, "pooling", EncoderConfig.Pooling.class, EncoderConfig.Pooling.MEAN, source),
        ConfigJson.enumField(o, "norm_placement", NormPlacement.class, NormPlacement.PRE, source),
        ConfigJson.enumField(o, "backbone", EncoderConfig.Backbone.class, EncoderConfig.Backbone.ENCODER, source)));
  }
}
