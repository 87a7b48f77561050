package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.data.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@link EncoderClassifier} model folder: {@code config.json} ({@code model_type} {@code "encoder-classifier"}
 * and the {@link EncoderConfig} fields under their documented names), {@code model.safetensors} (exactly the
 * model's parameters, under their names) and {@code tokenizer.json}. Loading rejects anything missing, extra or
 * misshapen, naming it, and weights that are NaN or infinite. The tokenizer may have fewer tokens than
 * {@code vocab_size} (a classifier's vocabulary can be set larger than the tokenizer's), never more.
 *
 * <p>What the weights cannot check: {@code n_head}, {@code pooling} and {@code norm_placement} change no tensor's
 * name or shape, so a {@code config.json} edited in those fields after training loads without error and computes
 * another function than the one trained. {@code dropout} only matters for further training. The other fields are
 * checked against the tensors ({@code positions} through the presence of the learned position table).
 */
public final class EncoderClassifierFolder {
  public static final String MODEL_TYPE = "encoder-classifier";

  private EncoderClassifierFolder() {}

  /** A loaded model and its tokenizer. */
  public record Loaded(EncoderClassifier model, Tokenizer tokenizer) {}

  /** Writes config, weights and tokenizer into {@code dir} (created if needed; files in it are replaced). */
  public static void save(EncoderClassifier model, Tokenizer tokenizer, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (OutputStream out = Files.newOutputStream(dir.resolve(ConfigJson.CONFIG))) {
      writeConfig(model.config(), out);
    }
    ConfigJson.writeWeights(model.parameters(), dir.resolve(ConfigJson.WEIGHTS));
    tokenizer.save(dir.resolve(Tokenizer.FILE_NAME));
  }

  /** Writes {@code config.json} for {@code c} to {@code out} (left open), e.g. into a checkpoint on HDFS. */
  public static void writeConfig(EncoderConfig c, OutputStream out) throws IOException {
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
    ConfigJson.write(o, out);
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
    try (InputStream in = Files.newInputStream(file)) {
      return readConfig(in, file);
    }
  }

  /**
   * Reads {@code config.json} from {@code in} (left open); {@code source} names it in error messages. A missing or
   * malformed field, or another {@code model_type}, is an {@link IllegalArgumentException} naming it.
   */
  public static EncoderConfig readConfig(InputStream in, Object source) throws IOException {
    JsonNode o = ConfigJson.read(in, source, MODEL_TYPE, false);
    int vocabSize = ConfigJson.intField(o, "vocab_size", source);
    int maxLength = ConfigJson.intField(o, "max_length", source);
    int numLayers = ConfigJson.intField(o, "n_layer", source);
    int numHeads = ConfigJson.intField(o, "n_head", source);
    int embedDim = ConfigJson.intField(o, "n_embd", source);
    int numClasses = ConfigJson.intField(o, "num_classes", source);
    double dropout = ConfigJson.doubleField(o, "dropout", 0.0, source);
    boolean bias = ConfigJson.booleanField(o, "bias", true, source);
    EncoderConfig.Positions positions = ConfigJson.enumField(o, "positions", EncoderConfig.Positions.class,
        EncoderConfig.Positions.LEARNED, source);
    EncoderConfig.Pooling pooling = ConfigJson.enumField(o, "pooling", EncoderConfig.Pooling.class,
        EncoderConfig.Pooling.MEAN, source);
    NormPlacement normPlacement = ConfigJson.enumField(o, "norm_placement", NormPlacement.class, NormPlacement.PRE,
        source);
    return ConfigJson.validated(() -> new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim,
        numClasses, dropout, bias, positions, pooling, normPlacement), source);
  }
}
