package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.EncoderDecoderFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A {@link TransformerTranslationModel}'s data files, on any Hadoop file system: {@code data/} is an
 * {@link EncoderDecoderFolder} ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json} for the
 * source, and {@code target_tokenizer.json} when the target has its own vocabulary), so on a local file system it
 * also loads with {@code EncoderDecoderFolder.load}.
 */
final class TranslatorFiles {
  private static final String CONFIG = "config.json";
  private static final String WEIGHTS = "model.safetensors";

  private TranslatorFiles() {}

  static void save(EncoderDecoderFolder.Loaded model, String path, Configuration conf) throws IOException {
    try (OutputStream out = ModelFiles.create(path, CONFIG, conf)) {
      EncoderDecoderFolder.writeConfig(model.model().config(), out);
    }
    try (OutputStream out = ModelFiles.create(path, WEIGHTS, conf)) {
      EncoderDecoderFolder.writeWeights(model.model(), out);
    }
    try (OutputStream out = ModelFiles.create(path, Tokenizer.FILE_NAME, conf)) {
      model.sourceTokenizer().write(out);
    }
    Path target = new Path(new Path(path, ModelFiles.DATA), EncoderDecoderFolder.TARGET_TOKENIZER);
    if (model.sourceTokenizer().equals(model.targetTokenizer())) {
      target.getFileSystem(conf).delete(target, false);
    } else {
      try (OutputStream out = ModelFiles.create(path, EncoderDecoderFolder.TARGET_TOKENIZER, conf)) {
        model.targetTokenizer().write(out);
      }
    }
  }

  static EncoderDecoderFolder.Loaded load(String path, Configuration conf) throws IOException {
    String where = path + "/" + ModelFiles.DATA + "/";
    EncoderDecoderConfig config;
    try (InputStream in = ModelFiles.open(path, CONFIG, conf)) {
      config = EncoderDecoderFolder.readConfig(in, where + CONFIG);
    }
    EncoderDecoder network;
    try (InputStream in = ModelFiles.open(path, WEIGHTS, conf)) {
      network = EncoderDecoderFolder.readWeights(config, in);
    }
    Tokenizer source = tokenizer(path, Tokenizer.FILE_NAME, conf);
    Path targetFile = new Path(new Path(path, ModelFiles.DATA), EncoderDecoderFolder.TARGET_TOKENIZER);
    Tokenizer target = targetFile.getFileSystem(conf).exists(targetFile)
        ? tokenizer(path, EncoderDecoderFolder.TARGET_TOKENIZER, conf) : source;
    checkVocabulary(where, "source", source, config.sourceVocabSize());
    checkVocabulary(where, "target", target, config.targetVocabSize());
    return new EncoderDecoderFolder.Loaded(network, source, target);
  }

  private static Tokenizer tokenizer(String path, String name, Configuration conf) throws IOException {
    try (InputStream in = ModelFiles.open(path, name, conf)) {
      return Tokenizer.read(in);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + "/" + ModelFiles.DATA + "/" + name + ": " + e.getMessage(), e);
    }
  }

  private static void checkVocabulary(String where, String side, Tokenizer tokenizer, int vocabSize) {
    if (tokenizer.vocabSize() > vocabSize) {
      throw new IllegalArgumentException("saved model at " + where + ": " + side + " tokenizer has "
          + tokenizer.vocabSize() + " tokens but " + side + "_vocab_size is " + vocabSize);
    }
  }
}
