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
import java.util.Map;

/**
 * An {@link EncoderDecoder} model folder: {@code config.json} ({@code model_type} {@code "encoder-decoder"} and the
 * {@link EncoderDecoderConfig} fields under their documented names), {@code model.safetensors} (exactly the model's
 * parameters; a tied output projection is not written twice) and the tokenizers: {@code tokenizer.json} for the
 * source, and {@code target_tokenizer.json} for the target when it differs. A folder without
 * {@code target_tokenizer.json} uses {@code tokenizer.json} for both sides (a joint vocabulary).
 *
 * <p>Loading rejects weights that are NaN or infinite, a source tokenizer larger than {@code source_vocab_size},
 * and a target tokenizer of another size than {@code target_vocab_size}: the model's output ids must all decode.
 *
 * <p>What the weights cannot check: {@code n_head}, {@code norm_placement} and {@code activation} change no
 * tensor's name or shape, so a {@code config.json} edited in those fields after training loads without error and
 * computes another function than the one trained. {@code dropout} and {@code label_smoothing} only matter for
 * further training. The other fields are checked against the tensors' names and shapes.
 */
public final class EncoderDecoderFolder {
  public static final String MODEL_TYPE = "encoder-decoder";
  public static final String TARGET_TOKENIZER = "target_tokenizer.json";

  private EncoderDecoderFolder() {}

  /** A loaded model and its tokenizers (the same object twice when the folder has one). */
  public record Loaded(EncoderDecoder model, Tokenizer sourceTokenizer, Tokenizer targetTokenizer) {}

  /**
   * Writes config, weights and tokenizers into {@code dir} (created if needed; files in it are replaced, and a
   * stale {@code target_tokenizer.json} is removed when the tokenizers are equal).
   */
  public static void save(EncoderDecoder model, Tokenizer sourceTokenizer, Tokenizer targetTokenizer, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    try (OutputStream out = Files.newOutputStream(dir.resolve(ConfigJson.CONFIG))) {
      writeConfig(model.config(), out);
    }
    ConfigJson.writeWeights(model.parameters(), dir.resolve(ConfigJson.WEIGHTS));
    sourceTokenizer.save(dir.resolve(Tokenizer.FILE_NAME));
    if (sourceTokenizer.equals(targetTokenizer)) {
      Files.deleteIfExists(dir.resolve(TARGET_TOKENIZER));
    } else {
      targetTokenizer.save(dir.resolve(TARGET_TOKENIZER));
    }
  }

  /** Reads a folder written by {@link #save}. */
  public static Loaded load(Path dir) throws IOException {
    ConfigJson.requireFiles(dir, ConfigJson.CONFIG, ConfigJson.WEIGHTS, Tokenizer.FILE_NAME);
    EncoderDecoderConfig config = readConfig(dir.resolve(ConfigJson.CONFIG));
    Parameters p = EncoderDecoder.declare(config).build();
    ConfigJson.readWeights(dir.resolve(ConfigJson.WEIGHTS), p);
    Tokenizer source = Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME));
    Path targetFile = dir.resolve(TARGET_TOKENIZER);
    Tokenizer target = Files.isRegularFile(targetFile) ? Tokenizer.load(targetFile) : source;
    checkVocabulary(dir, "source", source, config.sourceVocabSize(), false);
    checkVocabulary(dir, "target", target, config.targetVocabSize(), true);
    return new Loaded(EncoderDecoder.of(config, p), source, target);
  }

  /** A tokenizer larger than its side's vocabulary, or (if {@code decodes}) smaller, is an error. */
  private static void checkVocabulary(Path dir, String side, Tokenizer tokenizer, int vocabSize, boolean decodes) {
    if (tokenizer.vocabSize() > vocabSize || decodes && tokenizer.vocabSize() < vocabSize) {
      throw new IllegalArgumentException("model folder " + dir + ": " + side + " tokenizer has "
          + tokenizer.vocabSize() + " tokens but " + side + "_vocab_size is " + vocabSize
          + (tokenizer.vocabSize() < vocabSize ? ": it cannot decode every id the model may generate" : ""));
    }
  }

  /**
   * Writes {@code config.json} for {@code config} to {@code out} (left open): {@code model_type}
   * {@code "encoder-decoder"} and the config fields under their documented names. For folders on other file
   * systems (Hadoop's), which assemble the same layout from streams.
   */
  public static void writeConfig(EncoderDecoderConfig c, OutputStream out) throws IOException {
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

  /** Writes {@code model.safetensors} (every parameter under its name) to {@code out}, left open. */
  public static void writeWeights(EncoderDecoder model, OutputStream out) throws IOException {
    SafeTensors.write(ConfigJson.views(model.parameters()), Map.of("format", "pt"), out);
  }

  /**
   * A model of {@code config} with the weights of a {@code model.safetensors} stream, which must hold exactly the
   * config's parameter names and shapes, all finite.
   */
  public static EncoderDecoder readWeights(EncoderDecoderConfig config, InputStream in) throws IOException {
    Parameters p = EncoderDecoder.declare(config).build();
    SafeTensors.readInto(in, ConfigJson.views(p));
    ConfigJson.requireFinite(p, ConfigJson.WEIGHTS);
    return EncoderDecoder.of(config, p);
  }

  /** Reads a {@code config.json} written by {@link #writeConfig}; {@code source} names the file in messages. */
  public static EncoderDecoderConfig readConfig(InputStream in, Object source) throws IOException {
    return parseConfig(ConfigJson.read(in, source, MODEL_TYPE, false), source);
  }

  static EncoderDecoderConfig readConfig(Path file) throws IOException {
    return parseConfig(ConfigJson.read(file, MODEL_TYPE), file);
  }

  private static EncoderDecoderConfig parseConfig(JsonNode o, Object file) {
    int sourceVocabSize = ConfigJson.intField(o, "source_vocab_size", file);
    int targetVocabSize = ConfigJson.intField(o, "target_vocab_size", file);
    int maxSourceLength = ConfigJson.intField(o, "max_source_length", file);
    int maxTargetLength = ConfigJson.intField(o, "max_target_length", file);
    int numEncoderLayers = ConfigJson.intField(o, "n_encoder_layer", file);
    int numDecoderLayers = ConfigJson.intField(o, "n_decoder_layer", file);
    int numHeads = ConfigJson.intField(o, "n_head", file);
    int embedDim = ConfigJson.intField(o, "n_embd", file);
    double dropout = ConfigJson.doubleField(o, "dropout", 0.0, file);
    double labelSmoothing = ConfigJson.doubleField(o, "label_smoothing", 0.0, file);
    boolean bias = ConfigJson.booleanField(o, "bias", true, file);
    NormPlacement normPlacement = ConfigJson.enumField(o, "norm_placement", NormPlacement.class, NormPlacement.POST,
        file);
    EncoderDecoderConfig.Activation activation = ConfigJson.enumField(o, "activation",
        EncoderDecoderConfig.Activation.class, EncoderDecoderConfig.Activation.RELU, file);
    boolean sharedEmbeddings = ConfigJson.booleanField(o, "shared_embeddings", false, file);
    boolean tiedOutput = ConfigJson.booleanField(o, "tie_output", true, file);
    return ConfigJson.validated(() -> new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength,
        maxTargetLength, numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, bias,
        normPlacement, activation, sharedEmbeddings, tiedOutput), file);
  }
}
