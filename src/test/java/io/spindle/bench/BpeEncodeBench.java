package io.spindle.bench;

import io.spindle.data.BpeTokenizer;
import io.spindle.data.Texts;
import io.spindle.data.TokenizerOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Single-threaded BPE encoding speed on the Jargon File (a plain main, not JMH): learns a byte-level BPE of
 * {@code --vocab-size} tokens from the whole file, then encodes the whole file {@code --rounds} times on a new
 * tokenizer each round (so every round starts with an empty pre-token cache, as a Spark task does) and prints tokens
 * per second and MB of text per second for each round, the best and the median, and the learning time. Times are the
 * thread's CPU time (the wall time is printed beside it), so that a shared, loaded machine still measures the
 * encoder rather than the scheduler; the system load average is printed before and after. The first rounds warm
 * the JIT.
 *
 * <p>Run: {@code bin/bench bpe [FILE] [--vocab-size N] [--rounds N]} (default FILE
 * {@code /usr/share/doc/jargon-text/jargon.txt.gz}, vocabulary 32000, 10 rounds).
 */
public final class BpeEncodeBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private BpeEncodeBench() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of("/usr/share/doc/jargon-text/jargon.txt.gz");
    int vocabSize = 32_000;
    int rounds = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--vocab-size" -> vocabSize = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> file = Path.of(args[i]);
      }
    }
    String text = Texts.read(file);
    System.out.printf(Locale.ROOT, "load average %.2f on %d cores; %s: %,d chars%n", load(),
        Runtime.getRuntime().availableProcessors(), file, text.length());
    TokenizerOptions options = TokenizerOptions.defaults().withMaxVocabSize(vocabSize).withMinCount(2);
    long start = THREADS.getCurrentThreadCpuTime();
    BpeTokenizer learned = BpeTokenizer.learn(List.of(text), options);
    double learnSeconds = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "learned %,d merges, vocabulary %,d, in %.2f s CPU%n", learned.merges().size(),
        learned.vocabSize(), learnSeconds);
    byte[] json = learned.toBytes();
    double[] rates = new double[rounds];
    int tokens = 0;
    for (int r = 0; r < rounds; r++) {
      BpeTokenizer fresh = (BpeTokenizer) io.spindle.data.Tokenizer.fromBytes(json);
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      tokens = fresh.encode(text).length;
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
      rates[r] = tokens / cpuSeconds;
      System.out.printf(Locale.ROOT, "round %2d: %,d tokens in %.3f s CPU (%.3f s wall) = %,.0f tokens/s of CPU, "
          + "%.2f MB/s%n", r + 1, tokens, cpuSeconds, seconds, rates[r], text.length() / cpuSeconds / 1e6);
    }
    double[] sorted = rates.clone();
    java.util.Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "tokens per CPU second: best %,.0f, median %,.0f; %.2f chars per token; load "
        + "average %.2f%n",
        sorted[rounds - 1], sorted[rounds / 2], text.length() / (double) tokens, load());
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
