package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Autoregressive sampling from a {@link Gpt} with temperature and top-k, using a {@link KvCache} so each new token
 * costs one position's forward pass.
 *
 * <p>When the context reaches the block size the cache is rebuilt from the newest {@code blockSize / 2} tokens (the
 * positions restart at 0), so long generations cost one re-prefill every {@code blockSize / 2} tokens. Within the
 * block size the result is exactly what a full recomputation would give.
 *
 * <p>{@link #generate(int[], long, double, int, long, TokenSink)} hands each token over as soon as it is drawn and
 * keeps only the newest block of tokens, so a generation of any length takes the memory of one block size; the sink
 * may stop it early.
 */
public final class Sampler {
  private final Gpt model;

  /** Receives each new token as it is drawn. */
  @FunctionalInterface
  public interface TokenSink {
    /** Takes the next token; returns false to stop the generation. */
    boolean accept(int token);
  }

  public Sampler(Gpt model) {
    this.model = model;
  }

  /**
   * Continues {@code prompt} by {@code maxNewTokens} tokens.
   *
   * @param temperature divides the logits before the softmax; 0 means greedy (argmax)
   * @param topK keep only the k most likely tokens before sampling; 0 means no limit
   * @param seed seeds the draw, so a call is reproducible
   * @return the new tokens only
   */
  public int[] generate(int[] prompt, int maxNewTokens, double temperature, int topK, long seed) {
    IntStream.Builder out = IntStream.builder();
    generate(prompt, maxNewTokens, temperature, topK, seed, token -> {
      out.add(token);
      return true;
    });
    return out.build().toArray();
  }

  /**
   * Continues {@code prompt} by up to {@code maxNewTokens} tokens, handing each to {@code sink} as it is drawn,
   * until the sink returns false; the same tokens, in the same order, as {@link #generate(int[], int, double, int,
   * long)}. Memory does not grow with {@code maxNewTokens}.
   */
  public void generate(int[] prompt, long maxNewTokens, double temperature, int topK, long seed, TokenSink sink) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("generate: empty prompt");
    }
    if (maxNewTokens < 0 || !(temperature >= 0) || Double.isInfinite(temperature) || topK < 0) {
      throw new IllegalArgumentException("generate: maxNewTokens, temperature and topK must be finite and >= 0, got "
          + maxNewTokens + ", " + temperature + ", " + topK);
    }
    if (maxNewTokens == 0) {
      return;
    }
    int blockSize = model.config().blockSize();
    int keep = Math.max(1, blockSize / 2);
    SplittableRandom rnd = new SplittableRandom(seed);
    // The newest tokens: those the cache holds, plus the one just drawn before it is fed in (hence + 1).
    int[] window = new int[blockSize + 1];
    int length = Math.min(prompt.length, blockSize);
    System.arraycopy(prompt, prompt.length - length, window, 0, length);
    KvCache cache = model.newCache(1);
    float[] last = prefill(cache, window, length, blockSize);
    for (long n = 0; n < maxNewTokens; n++) {
      int next = pick(last, temperature, topK, rnd);
      if (!sink.accept(next) || n == maxNewTokens - 1) {
        return;
      }
      window[length++] = next;
      if (cache.length() == blockSize) {
        cache.clear();
        System.arraycopy(window, length - keep, window, 0, keep);
        length = keep;
        last = prefill(cache, window, length, keep);
      } else {
        last = step(cache, new int[] {next});
      }
    }
  }

  /**
   * Continues {@code prompt} in {@code seeds.length} independent ways at once: one row of a KV cache per seed, so each
   * new position of all rows costs one forward pass. Row k draws its tokens as {@link #generate} does, from a
   * {@link SplittableRandom} seeded with {@code seeds[k]}; with one seed the result is {@code generate}'s, bit for
   * bit. A row ends after drawing {@code stopToken} (kept as its last token; -1 for none) or after
   * {@code maxNewTokens} tokens; rows that ended still ride along in the batch until all have, their draws unused.
   * Unlike {@link #generate}, the prompt and the new tokens must fit in the block size together (no re-prefill), so
   * every token is drawn from exactly the distribution one full forward pass over the sequence gives.
   *
   * @return each row's new tokens, of length 1 to {@code maxNewTokens}
   */
  public int[][] generateGroup(int[] prompt, long[] seeds, int maxNewTokens, double temperature, int topK,
      int stopToken) {
    int rows = seeds.length;
    int blockSize = model.config().blockSize();
    if (prompt.length == 0 || rows == 0) {
      throw new IllegalArgumentException("generateGroup: empty prompt or no seeds");
    }
    if (maxNewTokens < 1 || temperature < 0 || topK < 0) {
      throw new IllegalArgumentException("generateGroup: maxNewTokens must be >= 1, temperature and topK >= 0, got "
          + maxNewTokens + ", " + temperature + ", " + topK);
    }
    if (prompt.length + maxNewTokens > blockSize) {
      throw new IllegalArgumentException("generateGroup: a prompt of " + prompt.length + " tokens and "
          + maxNewTokens + " new ones exceed the block size " + blockSize);
    }
    SplittableRandom[] rnd = new SplittableRandom[rows];
    int[][] out = new int[rows][maxNewTokens];
    int[] lengths = new int[rows];
    boolean[] done = new boolean[rows];
    int[] ids = new int[rows * prompt.length]; // (rows, P)
    for (int k = 0; k < rows; k++) {
      rnd[k] = new SplittableRandom(seeds[k]);
      System.arraycopy(prompt, 0, ids, k * prompt.length, prompt.length);
    }
    KvCache cache = model.newCache(rows);
    float[][] last = lastLogits(cache, ids, rows, prompt.length);
    int open = rows;
    for (int n = 0; n < maxNewTokens && open > 0; n++) {
      int[] next = new int[rows]; // (rows, 1)
      for (int k = 0; k < rows; k++) {
        if (done[k]) {
          next[k] = out[k][lengths[k] - 1];
          continue;
        }
        int token = pick(last[k], temperature, topK, rnd[k]);
        out[k][lengths[k]++] = token;
        next[k] = token;
        if (token == stopToken || lengths[k] == maxNewTokens) {
          done[k] = true;
          open--;
        }
      }
      if (open > 0) {
        last = lastLogits(cache, next, rows, 1);
      }
    }
    for (int k = 0; k < rows; k++) {
      out[k] = Arrays.copyOf(out[k], lengths[k]);
    }
    return out;
  }

  /** Runs {@code ids} (rows, time) through the cache; returns each row's last position's logits. */
  private float[][] lastLogits(KvCache cache, int[] ids, int rows, int time) {
    Tensor logits = model.logits(Graph.inference(), ids, rows, time, cache).value(); // (rows, T, V)
    int v = logits.dim(-1);
    float[][] out = new float[rows][v];
    for (int k = 0; k < rows; k++) {
      logits.buffer().get(logits.offset() + (k * time + time - 1) * v, out[k], 0, v);
    }
    return out;
  }

  /** Runs the newest {@code min(length, keep)} tokens through an empty cache; returns the last position's logits. */
  private float[] prefill(KvCache cache, int[] context, int length, int keep) {
    int start = Math.max(0, length - keep);
    return step(cache, Arrays.copyOfRange(context, start, length));
  }

  private float[] step(KvCache cache, int[] ids) {
    Tensor logits = model.logits(Graph.inference(), ids, 1, ids.length, cache).value(); // (1, T, V)
    int v = logits.dim(-1);
    float[] out = new float[v];
    logits.buffer().get(logits.offset() + (ids.length - 1) * v, out, 0, v);
    return out;
  }

  /** Greedy when temperature is 0, else a draw from softmax(logits / temperature) restricted to the top k. */
  static int pick(float[] logits, double temperature, int topK, SplittableRandom rnd) {
    int v = logits.length;
    if (temperature == 0) {
      int best = 0;
      for (int i = 1; i < v; i++) {
        if (logits[i] > logits[best]) {
          best = i;
        }
      }
      return best;
    }
    float threshold = Float.NEGATIVE_INFINITY;
    if (topK > 0 && topK < v) {
      float[] sorted = logits.clone();
      Arrays.sort(sorted);
      threshold = sorted[v - topK];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[v];
    double total = 0;
    for (int i = 0; i < v; i++) {
      p[i] = logits[i] < threshold ? 0 : Math.exp((logits[i] - max) / temperature);
      total += p[i];
    }
    double u = rnd.nextDouble() * total;
    for (int i = 0; i < v; i++) {
      u -= p[i];
      if (u < 0) {
        return i;
      }
    }
    for (int i = v - 1; i >= 0; i--) {
      if (p[i] > 0) {
        return i;
      }
    }
    return 0;
  }
}
