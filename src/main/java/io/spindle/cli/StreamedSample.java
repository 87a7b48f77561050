package io.spindle.cli;

import io.spindle.data.IncrementalDecoder;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.Sampler;
import java.io.PrintStream;

/**
 * Prints a prompt and its sampled continuation on standard output as the tokens are drawn, one flush per token, so
 * a long generation shows progress and takes the memory of one block size however long it runs. It stops early
 * when standard output is closed (a pipe whose reader has gone, as in {@code spindle generate ... | head}).
 */
final class StreamedSample {
  private StreamedSample() {}

  /**
   * Prints {@code promptText}, then up to {@code maxNewTokens} tokens continuing {@code promptIds} (its ids), then a
   * line break.
   */
  static void print(Gpt model, Tokenizer tokenizer, String promptText, int[] promptIds, long maxNewTokens,
      double temperature, int topK, long seed) {
    PrintStream out = System.out;
    out.print(promptText);
    out.flush();
    IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
    new Sampler(model).generate(promptIds, maxNewTokens, temperature, topK, seed, token -> {
      out.print(decoder.next(token));
      out.flush();
      return !out.checkError();
    });
    out.println();
  }
}
