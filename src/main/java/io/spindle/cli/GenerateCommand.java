package io.spindle.cli;

import io.spindle.nn.Gpt;
import io.spindle.nn.ModelFolder;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spindle generate}: continue a prompt with a trained model (KV-cached sampling), printing the tokens as they
 * are drawn ({@link StreamedSample}); the model's size is checked against this JVM's memory before it is loaded.
 */
@Command(name = "generate", description = "Continue a prompt with a trained model.")
final class GenerateCommand implements Callable<Integer> {
  @Mixin
  ModelDirOption model;

  @Option(names = "--prompt", required = true, description = "Text to continue (must use the model's vocabulary).")
  String prompt;

  @Option(names = "--max-new-tokens", defaultValue = "200",
      description = "Tokens to generate, printed as they come (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "0.8",
      description = "Softmax temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k likeliest tokens; 0 = all (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", defaultValue = "1337", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    OptionChecks.atLeast("--max-new-tokens", maxNewTokens, 0);
    OptionChecks.atLeast("--temperature", temperature, 0);
    OptionChecks.atLeast("--top-k", topK, 0);
    MemoryCheck.generating(model.checkedConfig());
    ModelFolder.Contents<Gpt> loaded = model.load();
    int[] ids = loaded.tokenizer().encodeStrict(prompt);
    if (ids.length == 0) {
      throw new IllegalArgumentException("the prompt is empty");
    }
    StreamedSample.print(loaded.model(), loaded.tokenizer(), prompt, ids, maxNewTokens, temperature, topK, seed);
    return 0;
  }
}
