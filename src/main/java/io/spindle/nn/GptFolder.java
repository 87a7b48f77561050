package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.data.Tokenizer;
import io.spindle.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GPT model folder in the layout the ecosystem uses: {@code config.json} (nanoGPT's {@code GPTConfig} names plus
 * {@code model_type}), {@code model.safetensors} (nanoGPT's {@code state_dict()} keys and PyTorch layouts) and
 * {@code tokenizer.json}.
 *
 * <p>Loading accepts what nanoGPT and the {@code safetensors} library produce: both tied keys
 * ({@code transformer.wte.weight} and {@code lm_head.weight}, which must then be equal) or only one of them, and
 * older nanoGPT's causal-mask buffers ({@code *.attn.bias} of shape (1, 1, T, T)), which are ignored. Anything
 * else missing, extra or misshapen is an error naming the tensor, and so is a weight that is NaN or infinite.
 *
 * <p>The tokenizer must have exactly {@code vocab_size} tokens: a larger one has ids the model cannot embed, and a
 * smaller one cannot decode every id the model may generate (nanoGPT pads its vocabularies, e.g. 50257 to 50304;
 * give such a model a tokenizer of the padded size).
 *
 * <p>What the weights cannot check: {@code n_head} changes no tensor's shape ({@code c_attn} is (3C, C) however C
 * is split into heads), so a {@code config.json} whose {@code n_head} was edited after training, to another divisor
 * of {@code n_embd}, loads without error and computes another function than the one trained: its scores and samples
 * are wrong. {@code dropout} only matters for further training. Every other field ({@code vocab_size},
 * {@code block_size}, {@code n_layer}, {@code n_embd}, {@code bias}) is checked against the tensors' names and
 * shapes.
 */
public final class GptFolder {
  public static final String CONFIG = ConfigJson.CONFIG;
  public static final String WEIGHTS = ConfigJson.WEIGHTS;
  public static final String MODEL_TYPE = "gpt";

  private static final String WTE = "transformer.wte.weight";
  private static final String LM_HEAD = "lm_head.weight";

  private GptFolder() {}

  /** A loaded model and its tokenizer. */
  public record Loaded(Gpt model, Tokenizer tokenizer) {}

  /** Writes config, weights and tokenizer into {@code dir} (created if needed; files in it are replaced). */
  public static void save(Gpt model, Tokenizer tokenizer, Path dir) throws IOException {
    Files.createDirectories(dir);
    writeConfig(model.config(), dir.resolve(CONFIG));
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(WEIGHTS)))) {
      writeWeights(model, out);
    }
    tokenizer.save(dir.resolve(Tokenizer.FILE_NAME));
  }

  /**
   * Writes {@code model.safetensors} to {@code out} (left open): every parameter under its nanoGPT name, and the
   * tied {@code lm_head.weight} under its own key too, as nanoGPT's {@code state_dict()} has it.
   */
  public static void writeWeights(Gpt model, OutputStream out) throws IOException {
    Parameters p = model.parameters();
    Map<String, Tensor> tensors = ConfigJson.views(p);
    tensors.put(LM_HEAD, p.get(WTE).value());
    SafeTensors.write(tensors, Map.of("format", "pt"), out);
  }

  /** Reads a folder written by {@link #save} or by nanoGPT plus the safetensors library. */
  public static Loaded load(Path dir) throws IOException {
    ConfigJson.requireFiles(dir, CONFIG, WEIGHTS, Tokenizer.FILE_NAME);
    GptConfig config = readConfig(dir.resolve(CONFIG));
    Gpt model;
    try (InputStream in = Files.newInputStream(dir.resolve(WEIGHTS))) {
      model = readWeights(config, in, Files.size(dir.resolve(WEIGHTS)), dir.resolve(WEIGHTS));
    }
    Tokenizer tokenizer = Tokenizer.load(dir.resolve(Tokenizer.FILE_NAME));
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new IllegalArgumentException("model folder " + dir + ": " + Tokenizer.FILE_NAME + " has "
          + tokenizer.vocabSize() + " tokens but vocab_size is " + config.vocabSize() + (tokenizer.vocabSize()
              < config.vocabSize() ? ": it cannot decode every id the model may generate" : "")
          + "; the tokenizer must be the model's own");
    }
    return new Loaded(model, tokenizer);
  }

  /**
   * The model of {@code config} with the weights of the {@code model.safetensors} that {@code in} holds
   * ({@code length} bytes, or -1 if unknown; read to its end, left open), accepting what {@link #load} accepts (see
   * the class comment; non-finite weights are refused). {@code source} names the file in error messages, which
   * start with it. The header is read twice (once to see which keys the file has), which the stream's mark and reset
   * make possible without a second open.
   */
  public static Gpt readWeights(GptConfig config, InputStream in, long length, Object source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    buffered.mark(Integer.MAX_VALUE); // grows only as far as the header, which readHeader bounds
    SafeTensorsHeader header;
    try {
      header = SafeTensors.readHeader(buffered, length);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    buffered.reset();
    buffered.mark(0); // from here on the buffer may drop what was read, rather than keep the whole file
    Parameters p = Gpt.declare(config).build();
    Map<String, Tensor> into = ConfigJson.views(p);
    Tensor lmHead = null;
    if (header.names().contains(LM_HEAD)) {
      if (header.names().contains(WTE)) {
        lmHead = Tensor.zeros(config.vocabSize(), config.embedDim());
        into.put(LM_HEAD, lmHead);
      } else {
        into.put(LM_HEAD, into.remove(WTE));
      }
    }
    for (String name : header.names()) {
      SafeTensorsHeader.Entry e = header.entry(name);
      if (name.endsWith(".attn.bias") && e.shape().length == 4) {
        into.put(name, Tensor.zeros(e.shape())); // nanoGPT's causal-mask buffer: read and dropped
      }
    }
    try {
      SafeTensors.readInto(buffered, length, into);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    if (lmHead != null) {
      Tensor wte = p.get(WTE).value();
      for (int i = 0; i < wte.size(); i++) {
        if (Float.compare(wte.get(i), lmHead.get(i)) != 0) {
          throw new IllegalArgumentException(source + ": " + LM_HEAD + " differs from " + WTE + " at element " + i
              + "; Spindle's GPT ties them");
        }
      }
    }
    ConfigJson.requireFinite(p, source);
    return Gpt.of(config, p);
  }

  static void writeConfig(GptConfig c, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      writeConfig(c, out);
    }
  }

  /** Writes {@code config.json} for {@code c} to {@code out} (left open), e.g. into a checkpoint on HDFS. */
  public static void writeConfig(GptConfig c, OutputStream out) throws IOException {
    ObjectNode o = ConfigJson.create(MODEL_TYPE);
    o.put("block_size", c.blockSize());
    o.put("vocab_size", c.vocabSize());
    o.put("n_layer", c.numLayers());
    o.put("n_head", c.numHeads());
    o.put("n_embd", c.embedDim());
    o.put("dropout", c.dropout());
    o.put("bias", c.bias());
    ConfigJson.write(o, out);
  }

  /**
   * The config of the model folder {@code dir}, which must hold the files {@link #load} reads: for checking the
   * model's size before {@code load} builds it.
   */
  public static GptConfig config(Path dir) throws IOException {
    ConfigJson.requireFiles(dir, CONFIG, WEIGHTS, Tokenizer.FILE_NAME);
    return readConfig(dir.resolve(CONFIG));
  }

  /** Reads a GPT config.json; {@code model_type} may be absent (nanoGPT writes none), dropout defaults to 0. */
  static GptConfig readConfig(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return readConfig(in, file);
    }
  }

  /** Reads {@code config.json} from {@code in} (left open); {@code source} names it in error messages. */
  public static GptConfig readConfig(InputStream in, Object source) throws IOException {
    JsonNode o = ConfigJson.read(in, source, MODEL_TYPE, true);
    int vocabSize = ConfigJson.intField(o, "vocab_size", source);
    int blockSize = ConfigJson.intField(o, "block_size", source);
    int numLayers = ConfigJson.intField(o, "n_layer", source);
    int numHeads = ConfigJson.intField(o, "n_head", source);
    int embedDim = ConfigJson.intField(o, "n_embd", source);
    double dropout = ConfigJson.doubleField(o, "dropout", 0.0, source);
    boolean bias = ConfigJson.booleanField(o, "bias", true, source);
    return ConfigJson.validated(() -> new GptConfig(vocabSize, blockSize, numLayers, numHeads, embedDim, dropout,
        bias), source);
  }
}
