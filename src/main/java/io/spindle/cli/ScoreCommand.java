package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.data.Texts;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.train.BatchGradient;
import io.spindle.train.Perplexity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spindle score}: the mean next-token cross-entropy of a text under a model, over consecutive non-overlapping
 * windows of block_size tokens (targets shifted by one; the last partial window counts too, so every token after the
 * first is predicted exactly once), as {@link Perplexity} defines it.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Print {\"loss\":..., \"tokens\":..., \"perplexity\":...} for a text under a model.")
final class ScoreCommand implements Callable<Integer> {
  @Option(names = "--model-dir", required = true, description = "Model folder written by train-lm.")
  Path modelDir;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--text", description = "UTF-8 text file (.gz accepted) to score.")
    Path text;

    @Option(names = "--token-ids", description = "File of whitespace-separated integer token ids to score.")
    Path tokenIds;
  }

  @Option(names = "--batch-size", defaultValue = "16", description = "Windows per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Mixin
  VerboseOption verbose;

  @Override
  public Integer call() throws Exception {
    ModelFolderTarget.requireModel(modelDir);
    ModelFolder.Contents<Gpt> loaded = ModelFolder.load(GptFormat.INSTANCE, modelDir);
    int[] tokens = input.text != null ? loaded.tokenizer().encode(Texts.read(input.text)) : readIds(input.tokenIds);
    int vocab = loaded.model().config().vocabSize();
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new IllegalArgumentException("token id " + tokens[i] + " at position " + i + " is outside [0, "
            + vocab + ")");
      }
    }
    BatchGradient.Result r = Perplexity.score(loaded.model(), tokens, batchSize);
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("loss", r.meanLoss());
    o.put("tokens", r.tokens());
    o.put("perplexity", Math.exp(r.meanLoss()));
    System.out.println(o);
    return 0;
  }

  private static int[] readIds(Path file) throws java.io.IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("token id file " + file + " does not exist");
    }
    String[] parts = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim().split("\\s+");
    if (parts.length == 1 && parts[0].isEmpty()) {
      return new int[0];
    }
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ": '" + parts[i] + "' at position " + i + " is not an integer", e);
      }
    }
    return ids;
  }
}
