package io.spindle.cli;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.nn.Sampler;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spindle generate}: continue a prompt with a trained model (KV-cached sampling). */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a trained model.")
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--model-dir", required = true, description = "Model folder written by train-lm.")
  Path modelDir;

  @Option(names = "--prompt", required = true, description = "Text to continue (must use the model's vocabulary).")
  String prompt;

  @Option(names = "--max-new-tokens", defaultValue = "200", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0.8",
      description = "Softmax temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k likeliest tokens; 0 = all (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", defaultValue = "1337", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  VerboseOption verbose;

  @Override
  public Integer call() throws Exception {
    ModelFolderTarget.requireModel(modelDir);
    ModelFolder.Contents<Gpt> loaded = ModelFolder.load(GptFormat.INSTANCE, modelDir);
    int[] ids = loaded.tokenizer().encodeStrict(prompt);
    if (ids.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    int[] out = new Sampler(loaded.model()).generate(ids, maxNewTokens, temperature, topK, seed);
    System.out.println(prompt + loaded.tokenizer().decode(out));
    return 0;
  }
}
