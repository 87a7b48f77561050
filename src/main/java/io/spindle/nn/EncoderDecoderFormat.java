package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

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

  @Override
  public String modelType() {
    return MODEL_TYPE;
  }

  @Override
  public Parameters.Builder declare(EncoderDecoderConfig config) {
    return EncoderDecoder.declare(config);
  }

  @Override
  public EncoderDecoder assemble(EncoderDecoderConfig config, Parameters weights) {
    return EncoderDecoder.of(config, weights);
  }

  @Override
  public int[] vocabSizes(EncoderDecoderConfig config) {
    return new int[] {config.sourceVocabSize(), config.targetVocabSize()};
  }

  @Override
  public boolean generates() {
    return true;
  }

  @Override
  public void writeConfig(EncoderDecoderConfig c, OutputStream out) throws IOException {
    ObjectNode o = ConfigJson.create(MODEL_TYPE);
    o.put("source_vocab_size", c.sourceVocabSize());
    o.put("target_vocab_size", c.targetVocabSize());
    o.put("max_source_length", c.maxSourceLength());
    o.put("max_target_length", c.maxTargetLength());
    o.put("n_encoder_layer", c.numEncoderLayers());
    o.put("n_decoder_layer", c.numDecoderLayers());
    o.put("n_head", c.numHeads());
    o.put("n_embd", c.embedDim());
    o.put("dropout", c.dropout());
    o.put("label_smoothing", c.labelSmoothing());
    o.put("bias", c.bias());
    o.put("norm_placement", ConfigJson.name(c.normPlacement()));
    o.put("activation", ConfigJson.name(c.activation()));
    o.put("shared_embeddings", c.sharedEmbeddings());
    o.put("tie_output", c.tiedOutput());
    ConfigJson.write(o, out);
  }

  @Override
  public EncoderDecoderConfig readConfig(InputStream in, Object source) throws IOException {
    JsonNode o = ConfigJson.read(in, source, MODEL_TYPE, false);
    return ConfigJson.build(source, () -> new EncoderDecoderConfig(
        ConfigJson.intField(o, "source_vocab_size", source), ConfigJson.intField(o, "target_vocab_size", source),
        ConfigJson.intField(o, "max_source_length", source), ConfigJson.intField(o, "max_target_length", source),
        ConfigJson.intField(o, "n_encoder_layer", source), ConfigJson.intField(o, "n_decoder_layer", source),
        ConfigJson.intField(o, "n_head", source), ConfigJson.intField(o, "n_embd", source),
        ConfigJson.doubleField(o, "dropout", 0.0, source), ConfigJson.doubleField(o, "label_smoothing", 0.0, source),
        ConfigJson.booleanField(o, "bias", true, source),
        ConfigJson.enumField(o, "norm_placement", NormPlacement.class, NormPlacement.POST, source),
        ConfigJson.enumField(o, "activation", EncoderDecoderConfig.Activation.class,
            EncoderDecoderConfig.Activation.RELU, source),
        ConfigJson.booleanField(o, "shared_embeddings", false, source),
        ConfigJson.booleanField(o, "tie_output", true, source)));
  }
}
