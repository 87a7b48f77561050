package io.spindle.data;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Next-token windows of length T over one token stream, for language modelling: the input is {@code T} consecutive
 * tokens, the target the same window shifted by one ({@code targets[t] = tokens[start + t + 1]}).
 *
 * <ul>
 *   <li>{@link #sample}: training batches of B windows at uniformly random starts in {@code [0, n - T - 1]}, drawn
 *       from the caller's seeded {@link SplittableRandom}, so a seed gives the same batches every run.
 *   <li>{@link #evaluationBatches}: consecutive non-overlapping windows starting at {@code 0, T, 2T, ...} for scoring.
 *       Every target {@code tokens[1..n-1]} appears exactly once; the last window is partial when {@code (n - 1)} is
 *       not a multiple of T and is included, its missing inputs filled with {@code tokens[n-1]} and its missing targets
 *       with {@link Batch#IGNORE}. So a mean over non-ignored targets counts each target token once.
 * </ul>
 * The stream is not copied: do not modify it while windows are drawn.
 */
public final class TokenWindows {
  private final int[] tokens;
  private final int blockSize;

  /** Throws {@link IllegalArgumentException} with both lengths if the stream has fewer than {@code blockSize + 1}. */
  public TokenWindows(int[] tokens, int blockSize) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("TokenWindows: block size must be >= 1, got " + blockSize);
    }
    if (tokens.length < blockSize + 1L) {
      throw new IllegalArgumentException("TokenWindows: a stream of " + tokens.length + " tokens is too short for "
          + "block size " + blockSize + " (needs at least " + (blockSize + 1L) + ": T inputs and 1 more target)");
    }
    this.tokens = tokens;
    this.blockSize = blockSize;
  }

  public int blockSize() {
    return blockSize;
  }

  /** Number of tokens in the stream. */
  public int length() {
    return tokens.length;
  }

  /** A (B, T) batch of windows at random starts: B draws of {@code random.nextInt(n - T)}. */
  public Batch sample(int batchSize, SplittableRandom random) {
    requireBatchSize(batchSize, "sample");
    int time = blockSize;
    int[] inputs = new int[batchSize * time]; // (B, T)
    int[] targets = new int[batchSize * time]; // (B, T)
    for (int b = 0; b < batchSize; b++) {
      int start = random.nextInt(tokens.length - time);
      System.arraycopy(tokens, start, inputs, b * time, time);
      System.arraycopy(tokens, start + 1, targets, b * time, time);
    }
    return new Batch(inputs, targets, batchSize, time);
  }

  /** Number of evaluation windows: {@code ceil((n - 1) / T)}. */
  public int evaluationWindowCount() {
    return (tokens.length - 1 + blockSize - 1) / blockSize;
  }

  /**
   * The evaluation windows in order, {@code batchSize} per batch (the last batch may hold fewer rows). The list is
   * computed on access and holds no copy of the stream.
   */
  public List<Batch> evaluationBatches(int batchSize) {
    requireBatchSize(batchSize, "evaluationBatches");
    int windows = evaluationWindowCount();
    int size = (windows + batchSize - 1) / batchSize;
    return new AbstractList<>() {
      @Override
      public Batch get(int index) {
        if (index < 0 || index >= size) {
          throw new IndexOutOfBoundsException("evaluation batch " + index + " of " + size);
        }
        int first = index * batchSize;
        return evaluationBatch(first, Math.min(batchSize, windows - first));
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  private Batch evaluationBatch(int firstWindow, int rows) {
    int time = blockSize;
    int[] inputs = new int[rows * time]; // (B, T)
    int[] targets = new int[rows * time]; // (B, T)
    for (int b = 0; b < rows; b++) {
      int start = (firstWindow + b) * time;
      int full = Math.min(time, tokens.length - 1 - start); // positions with a next token
      System.arraycopy(tokens, start, inputs, b * time, full);
      System.arraycopy(tokens, start + 1, targets, b * time, full);
      Arrays.fill(inputs, b * time + full, (b + 1) * time, tokens[tokens.length - 1]);
      Arrays.fill(targets, b * time + full, (b + 1) * time, Batch.IGNORE);
    }
    return new Batch(inputs, targets, rows, time);
  }

  private static void requireBatchSize(int batchSize, String op) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("TokenWindows." + op + ": batch size must be >= 1, got " + batchSize);
    }
  }
}
