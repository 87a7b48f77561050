package io.spindle.nn;

import io.spindle.autograd.Parameters;
import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one codec of a model folder, for every model family and every place a model is kept: the command line's
 * folders, MLlib persistence ({@code data/} under a stage's path) and training checkpoints.
 *
 * <p>Layout: {@code config.json} and {@code model.safetensors} as the family's {@link ModelFormat} writes them;
 * {@code tokenizer.json}, the tokenizer (the source side's, for an encoder–decoder), when the model has one; and
 * {@code target_tokenizer.json} when the target side has a tokenizer of its own. A folder without
 * {@code target_tokenizer.json} uses {@code tokenizer.json} for both sides.
 *
 * <p>The codec reads and writes streams: where the files live is a {@link Source} (to read) and a map of named
 * {@link Content}s (to write), so the same code serves a local folder ({@link #save(ModelFormat, Contents, Path)},
 * {@link #load(ModelFormat, Path)}) and any Hadoop file system (the adapters in {@code io.spindle.spark}). Loading
 * checks that every tokenizer fits the vocabulary of its side (and, for a model that {@link ModelFormat#generates},
 * that the target tokenizer can decode every target id), and refuses weights that are NaN or infinite.
 */
public final class ModelFolder {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String TOKENIZER = Tokenizer.FILE_NAME;
  public static final String TARGET_TOKENIZER = "target_tokenizer.json";
  /** Every file the layout may hold. */
  public static final List<String> FILES = List.of(CONFIG, WEIGHTS, TOKENIZER, TARGET_TOKENIZER);

  private ModelFolder() {}

  /**
   * What a model folder holds: the model and its tokenizers. {@code tokenizer} may be null (a model over token ids,
   * such as an MLlib classifier's); {@code targetTokenizer} is the target side's, equal to (or the same object as)
   * {@code tokenizer} for a family with one vocabulary.
   */
  public record Contents<M>(M model, Tokenizer tokenizer, Tokenizer targetTokenizer) {
    /** A model with one tokenizer (or none). */
    public static <M> Contents<M> of(M model, Tokenizer tokenizer) {
      return new Contents<>(model, tokenizer, tokenizer);
    }
  }

  /** Writes one file's bytes to a stream (left open). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Where a folder's files are read from. */
  public interface Source {
    boolean has(String name) throws IOException;

    /** Opens {@code name}, throwing {@link IllegalArgumentException} naming it when it is missing. */
    InputStream open(String name) throws IOException;

    /** The size of {@code name} in bytes, or -1 if unknown. */
    long length(String name) throws IOException;

    /** {@code name} as messages name it (its full path). */
    String where(String name);
  }

  /**
   * The files of {@code contents} in writing order, by name: config, weights, then the tokenizers. The other names
   * of the layout ({@link #FILES}) are not part of it; a writer replacing a folder deletes them.
   */
  public static <C extends Serializable, M extends Network<?>> Map<String, Content> files(ModelFormat<C, M> format,
      Contents<M> contents) {
    M model = contents.model();
    C config = format.config(model);
    Parameters weights = model.parameters();
    Map<String, Content> files = new LinkedHashMap<>();
    files.put(CONFIG, out -> format.writeConfig(config, out));
    files.put(WEIGHTS, out -> {
      requireFinite(weights);
      format.writeWeights(config, weights, out);
    });
    Tokenizer source = contents.tokenizer();
    Tokenizer target = contents.targetTokenizer();
    if (source != null) {
      files.put(TOKENIZER, source::write);
    }
    if (target != null && !target.equals(source)) {
      files.put(TARGET_TOKENIZER, target::write);
    }
    return files;
  }

  /**
   * Throws {@link BadInputException} naming the first non-finite weight: a model that NaN or infinity has
   * reached computes nothing useful, and is never saved.
   */
  public static void requireFinite(Parameters weights) {
    int i = firstNonFinite(weights);
    if (i >= 0) {
      throw new BadInputException("the weights are not finite (" + weights.nameAt(i) + " is "
          + weights.values().get(i) + "); refusing to save them");
    }
  }

  /** The index of the first NaN or infinite value of {@code weights}, or -1 if all are finite. */
  private static int firstNonFinite(Parameters weights) {
    io.spindle.tensor.Tensor values = weights.values();
    for (int i = 0; i < values.size(); i++) {
      if (!Float.isFinite(values.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** The config of the folder at {@code source}. */
  public static <C extends Serializable, M extends Network<?>> C readConfig(ModelFormat<C, M> format, Source source)
      throws IOException {
    try (InputStream in = source.open(CONFIG)) {
      return format.readConfig(in, source.where(CONFIG));
    }
  }

  /**
   * The model of {@code config} with the weights of the folder at {@code source}, which must all be finite: a model
   * that a diverged run left NaN scores NaN and generates nonsense.
   */
  public static <C extends Serializable, M extends Network<?>> M readModel(ModelFormat<C, M> format, C config, Source source)
      throws IOException {
    try (InputStream in = source.open(WEIGHTS)) {
      Parameters weights = format.readWeights(config, in, source.length(WEIGHTS), source.where(WEIGHTS));
      int i = firstNonFinite(weights);
      if (i >= 0) {
        throw new BadInputException(source.where(WEIGHTS) + ": " + weights.nameAt(i) + " holds "
            + weights.values().get(i) + "; a model with non-finite weights cannot score or generate (was it "
            + "trained with too high a learning rate?)");
      }
      return format.assemble(config, weights);
    }
  }

  /**
   * Reads the folder at {@code source}: config, weights and whatever tokenizers it has, each checked against the
   * vocabulary of its side. Every problem is a {@link BadInputException} naming the file.
   */
  public static <C extends Serializable, M extends Network<?>> Contents<M> read(ModelFormat<C, M> format, Source source)
      throws IOException {
    C config = readConfig(format, source);
    M model = readModel(format, config, source);
    int[] vocab = format.vocabSizes(config);
    Tokenizer tokenizer = source.has(TOKENIZER) ? tokenizer(source, TOKENIZER, vocab[0]) : null;
    Tokenizer target = source.has(TARGET_TOKENIZER) ? tokenizer(source, TARGET_TOKENIZER, vocab[1]) : tokenizer;
    String targetFile = source.has(TARGET_TOKENIZER) ? TARGET_TOKENIZER : TOKENIZER;
    if (target == tokenizer && tokenizer != null && tokenizer.vocabSize() > vocab[1]) {
      throw new BadInputException(source.where(TOKENIZER) + ": the tokenizer has " + tokenizer.vocabSize()
          + " tokens but the target vocabulary is " + vocab[1]);
    }
    if (format.generates() && target != null && target.vocabSize() < vocab[1]) {
      throw new BadInputException(source.where(targetFile) + ": the tokenizer has " + target.vocabSize()
          + " tokens but the model's " + (vocab[0] == vocab[1] && target == tokenizer ? "" : "target ")
          + "vocabulary is " + vocab[1] + ": it cannot decode every id the model may generate; the tokenizer must "
          + "be the model's own");
    }
    return new Contents<>(model, tokenizer, target);
  }

  private static Tokenizer tokenizer(Source source, String name, int vocabSize) throws IOException {
    Tokenizer tokenizer;
    try (InputStream in = source.open(name)) {
      tokenizer = Tokenizer.read(in);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(source.where(name) + ": " + e.getMessage(), e);
    }
    if (tokenizer.vocabSize() > vocabSize) {
      throw new BadInputException(source.where(name) + ": the tokenizer has " + tokenizer.vocabSize()
          + " tokens but the model's vocabulary is " + vocabSize);
    }
    return tokenizer;
  }

  /**
   * Writes {@code contents} into the local folder {@code dir} (created if needed): the files of
   * {@link #files}, replacing those of the same name, and deleting the layout's other files (a stale
   * {@code target_tokenizer.json}, say).
   */
  public static <C extends Serializable, M extends Network<?>> void save(ModelFormat<C, M> format, Contents<M> contents, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Content> files = files(format, contents);
    for (Map.Entry<String, Content> f : files.entrySet()) {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(f.getKey())))) {
        f.getValue().writeTo(out);
      }
    }
    for (String name : FILES) {
      if (!files.containsKey(name)) {
        Files.deleteIfExists(dir.resolve(name));
      }
    }
  }

  /**
   * Reads the local folder {@code dir}, which must hold a config, the weights and a tokenizer; an error names the
   * folder and what is missing or wrong.
   */
  public static <C extends Serializable, M extends Network<?>> Contents<M> load(ModelFormat<C, M> format, Path dir) throws IOException {
    return read(format, complete(dir));
  }

  /**
   * The config of the local folder {@code dir}, which must hold the files {@link #load} reads: for checking the
   * model's size before {@code load} builds it.
   */
  public static <C extends Serializable, M extends Network<?>> C config(ModelFormat<C, M> format, Path dir)
      throws IOException {
    return readConfig(format, complete(dir));
  }

  /** {@code dir} as a {@link Source}, after checking that it holds a config, the weights and a tokenizer. */
  private static Source complete(Path dir) throws IOException {
    Source source = local(dir);
    if (!Files.isDirectory(dir)) {
      throw new BadInputException("model folder " + dir + " does not exist or is not a directory");
    }
    for (String f : new String[] {CONFIG, WEIGHTS, TOKENIZER}) {
      if (!source.has(f)) {
        throw new BadInputException("model folder " + dir + " has no " + f);
      }
    }
    return source;
  }

  /** The local folder {@code dir} as a {@link Source}. */
  public static Source local(Path dir) {
    return new Source() {
      @Override
      public boolean has(String name) {
        return Files.isRegularFile(dir.resolve(name));
      }

      @Override
      public InputStream open(String name) throws IOException {
        if (!has(name)) {
          throw new BadInputException("model folder " + dir + " has no " + name);
        }
        return Files.newInputStream(dir.resolve(name));
      }

      @Override
      public long length(String name) throws IOException {
        return Files.size(dir.resolve(name));
      }

      @Override
      public String where(String name) {
        return dir.resolve(name).toString();
      }
    };
  }
}
