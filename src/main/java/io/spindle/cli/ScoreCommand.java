package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.data.Texts;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.ModelFolder;
import io.spindle.train.BatchGradient;
import io.spindle.train.Perplexity;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spindle score}: the mean next-token cross-entropy of a text under a model, over consecutive non-overlapping
 * windows of block_size tokens (targets shifted by one; the last partial window counts too, so every token after the
 * first is predicted exactly once), as {@link Perplexity} defines it.
 *
 * <p>Sizes are checked before anything is allocated ({@link MemoryCheck}): the model against this JVM's memory, the
 * text against the heap left once the model is loaded (read bounded, so {@code --text /dev/zero} is refused rather
 * than read forever), and the forward passes of {@code --batch-size} windows, whose count is capped at the number
 * of windows the text has.
 */
@Command(name = "score",
    description = "Print {\"loss\":..., \"tokens\":..., \"perplexity\":...} for a text under a model.")
final class ScoreCommand implements Callable<Integer> {
  @Mixin
  ModelDirOption model;

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

  @Override
  public Integer call() throws Exception {
    OptionChecks.atLeast("--batch-size", batchSize, 1);
    GptConfig config = model.checkedConfig();
    Path file = input.text != null ? input.text : input.tokenIds;
    String text = Texts.read(file, MemoryCheck.textLimit(MemoryCheck.SCORING_BYTES_PER_TEXT_BYTE, config),
        MemoryCheck.textLimitReason(MemoryCheck.SCORING_BYTES_PER_TEXT_BYTE, null));
    ModelFolder.Contents<Gpt> loaded = model.load();
    int[] tokens = input.text != null ? loaded.tokenizer().encode(text) : parseIds(text, file);
    int vocab = config.vocabSize();
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0 || tokens[i] >= vocab) {
        throw new IllegalArgumentException(file + ": token id " + tokens[i] + " at position " + i
            + " is outside [0, " + vocab + ")");
      }
    }
    if (tokens.length < 2) {
      throw new IllegalArgumentException(file + " has " + tokens.length + " token" + (tokens.length == 1 ? "" : "s")
          + "; scoring needs at least 2 (the first predicts the second)");
    }
    // Perplexity's windows: as many per pass as --batch-size asks, but never more than the text has.
    int window = Math.min(config.blockSize(), tokens.length - 1);
    long windows = ((long) tokens.length - 1 + window - 1) / window;
    int rows = (int) Math.min(batchSize, windows);
    MemoryCheck.scoring(config, rows, window);
    BatchGradient.Result r = Perplexity.score(loaded.model(), tokens, rows);
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("loss", r.meanLoss());
    o.put("tokens", r.tokens());
    o.put("perplexity", Math.exp(r.meanLoss()));
    System.out.println(o);
    return 0;
  }

  /** The whitespace-separated integers of {@code text}, read from {@code file}. */
  private static int[] parseIds(String text, Path file) {
    int[] ids = new int[16];
    int count = 0;
    int i = 0;
    while (i < text.length()) {
      if (Character.isWhitespace(text.charAt(i))) {
        i++;
        continue;
      }
      int end = i;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
        end++;
      }
      String part = text.substring(i, end);
      if (count == ids.length) {
        ids = Arrays.copyOf(ids, (int) Math.min(Integer.MAX_VALUE - 16, 2L * count));
      }
      try {
        ids[count] = Integer.parseInt(part);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ": '" + (part.length() > 40 ? part.substring(0, 40) + "..." : part)
            + "' at position " + count + " is not an integer", e);
      }
      count++;
      i = end;
    }
    return Arrays.copyOf(ids, count);
  }
}
