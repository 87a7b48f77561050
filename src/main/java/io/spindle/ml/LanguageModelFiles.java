package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A {@link TransformerLanguageModelModel}'s data files, on any Hadoop file system: {@code data/} is a GPT model folder
 * as {@link GptFolder} writes it ({@code config.json}, {@code model.safetensors} with nanoGPT's keys,
 * {@code tokenizer.json}), so once copied to a local disk {@code spindle generate --model-dir .../data} and nanoGPT
 * tooling read it too.
 */
final class LanguageModelFiles {
  private LanguageModelFiles() {}

  static void save(Gpt model, Tokenizer tokenizer, String path, Configuration conf) throws IOException {
    try (OutputStream out = ModelFiles.create(path, GptFolder.CONFIG, conf)) {
      GptFolder.writeConfig(model.config(), out);
    }
    try (OutputStream out = ModelFiles.create(path, GptFolder.WEIGHTS, conf)) {
      GptFolder.writeWeights(model, out);
    }
    try (OutputStream out = ModelFiles.create(path, Tokenizer.FILE_NAME, conf)) {
      tokenizer.write(out);
    }
  }

  /** The model and its tokenizer; throws naming the file if one is missing or does not fit the others. */
  static GptFolder.Loaded load(String path, Configuration conf) throws IOException {
    String folder = path + "/" + ModelFiles.DATA;
    GptConfig config;
    try (InputStream in = ModelFiles.open(path, GptFolder.CONFIG, conf)) {
      config = GptFolder.readConfig(in, folder + "/" + GptFolder.CONFIG);
    }
    Gpt model;
    Path weights = new Path(new Path(path, ModelFiles.DATA), GptFolder.WEIGHTS);
    try (InputStream in = ModelFiles.open(path, GptFolder.WEIGHTS, conf)) {
      model = GptFolder.readWeights(config, in, weights.getFileSystem(conf).getFileStatus(weights).getLen(),
          folder + "/" + GptFolder.WEIGHTS);
    }
    Tokenizer tokenizer;
    try (InputStream in = ModelFiles.open(path, Tokenizer.FILE_NAME, conf)) {
      tokenizer = Tokenizer.read(in);
    }
    if (tokenizer.vocabSize() > config.vocabSize()) {
      throw new IllegalArgumentException(folder + ": tokenizer has " + tokenizer.vocabSize()
          + " tokens but vocab_size is " + config.vocabSize());
    }
    return new GptFolder.Loaded(model, tokenizer);
  }
}
