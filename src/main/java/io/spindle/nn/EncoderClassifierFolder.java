package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.data.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@link EncoderClassifier} model folder: {@code config.json} ({@code model_type} {@code "encoder-classifier"}
 * and the {@link EncoderConfig} fields under their documented names), {@code model.safetensors} (exactly the
 * model's parameters, under their names) and {@code tokenizer.json}. Loading rejects anything missing, extra or
 * misshapen, naming it.
 */
public final class EncoderClassifierFolder {
  public static final String MODEL_TYPE = "encoder-classifier";

  private EncoderClassifierFolder() {}

  /** A loaded model and its tokenizer. */
  public record Loaded(EncoderClassifier model, Tokenizer tokenizer) {}

  /** Writes config, weights and tokenizer into {@code dir} (created if needed; files in it are replaced). */
  public static void save(EncoderClassifier model, Tokenizer tokenizer, Path dir) throws IOException {
    Files.createDirectories(dir);
    EncoderConfig c = model.config();
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
    ConfigJson.write(o, dir.resolve(ConfigJson.CONFIG));
    ConfigJson.writeWeights(model.parameters(), dir.resolve(ConfigJson.WEIGHTS));
    tokenizer.save(dir.resolve(Tokenizer.FILE_NAME));
  }

  /** Reads a folder written by {@link #save}. */
  public static Loaded load(Path dir) throws IOException {
    ConfigJson.requireFiles(dir, ConfigJson.CONFIG, ConfigJson.WEIGHTS, Tokenizer.FILE_NAME);
    EncoderConfig config = readConfig(dir.resolve(ConfigJson.CONFIG));
    Parameters p = EncoderClassifier.declare(config).build();
    ConfigJson.readWeights(dir.resolve(ConfigJson.WEIGHTS), p);
    Tokenizer tokenizer = Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME));
    if (tokenizer.vocabSize() > config.vocabSize()) {
      throw new IllegalArgumentException("model folder " + dir + ": tokenizer has " + tokenizer.vocabSize()
          + " tokens but vocab_size is " + config.vocabSize());
    }
    return new Loaded(EncoderClassifier.of(config, p), tokenizer);
  }

  static EncoderConfig readConfig(Path file) throws IOException {
    JsonNode o = ConfigJson.read(file, MODEL_TYPE);
    return new EncoderConfig(ConfigJson.intField(o, "vocab_size", file), ConfigJson.intField(o, "max_length", file),
        ConfigJson.intField(o, "n_layer", file), ConfigJson.intField(o, "n_head", file),
        ConfigJson.intField(o, "n_embd", file), ConfigJson.intField(o, "num_classes", file),
        ConfigJson.doubleField(o, "dropout", 0.0, file), ConfigJson.booleanField(o, "bias", true, file),
        ConfigJson.enumField(o, "positions", EncoderConfig.Positions.class, EncoderConfig.Positions.LEARNED, file),
        ConfigJson.enumField(o, "pooling", EncoderConfig.Pooling.class, EncoderConfig.Pooling.MEAN, file),
        ConfigJson.enumField(o, "norm_placement", NormPlacement.class, NormPlacement.PRE, file));
  }
}
