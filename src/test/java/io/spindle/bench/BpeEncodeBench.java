package io.spindle.bench;

import io.spindle.data.BpeTokenizer;
import io.spindle.data.Texts;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Single-threaded BPE encoding speed on the Jargon File (a plain main, not JMH). Learns a byte-level BPE of
 * {@code --vocab-size} tokens (pairs seen twice or more, as {@code train-lm} learns) from the whole file, then encodes
 * the whole file {@code --rounds} times, each round on a tokenizer freshly parsed from its {@code tokenizer.json}, so
 * that every round starts with an empty pre-token cache, as a Spark task does. Prints each round's tokens per second
 * and MB of text per second, the best and the median of the rounds after the first three (JIT warm-up), and the
 * learning time.
 *
 * <p>Times are the thread's CPU time, with the wall time printed beside it, so that a shared, loaded machine still
 * measures the encoder rather than the scheduler. The system load average is printed before and after.
 *
 * <p>Run: {@code bin/bench bpe [FILE] [--vocab-size N] [--rounds N]} (default FILE
 * {@code /usr/share/doc/jargon-text/jargon.txt.gz}, vocabulary 32000, 10 rounds).
 */
public final class BpeEncodeBench {
  /** Rounds left out of the summary while the JIT compiles the encoder. */
  private static final int WARM_UP = 3;
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
      BpeTokenizer fresh = (BpeTokenizer) Tokenizer.fromBytes(json);
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      tokens = fresh.encode(text).length;
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
      rates[r] = tokens / cpuSeconds;
      System.out.printf(Locale.ROOT, "round %2d: %,d tokens in %.3f s CPU (%.3f s wall) = %,.0f tokens/s of CPU, "
          + "%.2f MB/s%n", r + 1, tokens, cpuSeconds, seconds, rates[r], text.length() / cpuSeconds / 1e6);
    }
    double[] sorted = Arrays.copyOfRange(rates, Math.min(WARM_UP, rounds - 1), rounds);
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "tokens per CPU second after %d warm-up rounds: best %,.0f, median %,.0f; %.2f "
        + "chars per token; load average %.2f%n", rounds - sorted.length, sorted[sorted.length - 1],
        median(sorted), text.length() / (double) tokens, load());
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
