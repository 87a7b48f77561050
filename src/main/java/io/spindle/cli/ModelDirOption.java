package io.spindle.cli;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --model-dir} option of the commands that read a GPT model folder (generate, score, plot). */
final class ModelDirOption {
  @Option(names = "--model-dir", required = true, paramLabel = "<modelDir>",
      description = "Model folder written by train-lm.")
  Path dir;

  /**
   * The folder's model config, read once the folder is checked to be a Spindle model folder and its model to fit
   * this JVM's memory ({@link MemoryCheck#loading}).
   */
  GptConfig checkedConfig() throws IOException {
    ModelFolderTarget.requireModel(dir);
    GptConfig config = ModelFolder.config(GptFormat.INSTANCE, dir);
    MemoryCheck.loading(config, "model folder " + dir);
    return config;
  }

  /** The folder's model and tokenizer. */
  ModelFolder.Contents<Gpt> load() throws IOException {
    return ModelFolder.load(GptFormat.INSTANCE, dir);
  }
}
