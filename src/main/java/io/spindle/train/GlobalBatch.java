package io.spindle.train;

import io.spindle.data.Batch;
import io.spindle.nn.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The global batch of one training step, defined over the <em>whole</em> training token stream, so that every
 * trainer (in-process, or on Spark with any number of partitions) trains on exactly the same windows.
 *
 * <p>Window {@code j} (0 &lt;= j &lt; B) of step {@code s} starts at {@link #starts}{@code (seed, s, B, n, T)[j]}:
 * a draw from a {@link SplittableRandom} seeded with {@code Seeds.derive(seed, s, 0)}, uniform over the j-th of B
 * equal strata of the n - T possible starts, so a pure function of (seed, s, B, j) and of the stream length n alone.
 * Its input is {@code tokens[start .. start+T-1]} and its target {@code tokens[start+1 .. start+T]}. A Spark partition
 * holding the stream range {@code [offset, offset + owned)} (plus T tokens of overlap) computes all B starts, which is
 * cheap, and takes the windows whose start it owns; the union over partitions is the global batch, each window once.
 *
 * <p>Why strata rather than B independent uniform draws: every window is still uniform over its stratum, so each
 * start position is equally likely and the gradient stays unbiased, but a partition holding 1/P of the stream now
 * owns B/P windows to within one (independent draws gave it a binomial share, and a step waits for its largest
 * task: 16% over the even share was measured for B = 64 on 2 partitions). The strata do not depend on the partition
 * count, so every partitioning trains on the same windows.
 *
 * <p>Dropout masks of a group of windows (a micro-batch) are drawn from {@link #dropoutSeed}{@code (seed, s, j0)}
 * with j0 the group's first window. The masks depend on the row layout of the group, so with dropout on, runs with
 * different micro-batch layouts are statistically, not numerically, equivalent; with dropout off (or the same layout)
 * they compute the same function.
 */
public final class GlobalBatch {
  private GlobalBatch() {}

  /**
   * The B window starts of step {@code step}, each in {@code [0, n - T - 1]}, in increasing order: start j is uniform
   * over stratum j, {@code [j (n - T) / B, (j + 1) (n - T) / B)}, or over all starts when that stratum is empty (fewer
   * starts than windows). Throws if the stream is shorter than {@code T + 1} tokens or B is not positive.
   */
  public static long[] starts(long seed, long step, int batchSize, long streamLength, int blockSize) {
    if (batchSize < 1 || blockSize < 1) {
      throw new IllegalArgumentException("GlobalBatch.starts: batch size and block size must be >= 1, got "
          + batchSize + " and " + blockSize);
    }
    if (streamLength < blockSize + 1L) {
      throw new IllegalArgumentException("GlobalBatch.starts: a stream of " + streamLength
          + " tokens is too short for block size " + blockSize + " (needs at least " + (blockSize + 1L) + ")");
    }
    SplittableRandom random = new SplittableRandom(Seeds.derive(seed, step, 0));
    long range = streamLength - blockSize; // possible starts: [0, range)
    long[] starts = new long[batchSize];
    for (int j = 0; j < batchSize; j++) {
      long lo = stratumBound(j, range, batchSize);
      long hi = stratumBound(j + 1, range, batchSize);
      starts[j] = hi > lo ? lo + random.nextLong(hi - lo) : random.nextLong(range);
    }
    return starts;
  }

  /** {@code floor(j * range / batchSize)} without overflow: with range = q B + r it is j q + floor(j r / B). */
  private static long stratumBound(long j, long range, int batchSize) {
    return j * (range / batchSize) + j * (range % batchSize) / batchSize;
  }

  /**
   * The B example indices of step {@code step} of a training set of {@code count} examples (a classifier's, a
   * translator's pairs), each in {@code [0, count)}: the j-th of B draws {@code nextLong(count)} from a
   * {@link SplittableRandom} seeded with {@code Seeds.derive(seed, step, 0)}, so, like {@link #starts}, a pure
   * function of (seed, step, j) and the count. Draws are with replacement.
   */
  public static long[] examples(long seed, long step, int batchSize, long count) {
    if (batchSize < 1 || count < 1) {
      throw new IllegalArgumentException("GlobalBatch.examples: batch size and example count must be >= 1, got "
          + batchSize + " and " + count);
    }
    SplittableRandom random = new SplittableRandom(Seeds.derive(seed, step, 0));
    long[] picks = new long[batchSize];
    for (int j = 0; j < batchSize; j++) {
      picks[j] = random.nextLong(count);
    }
    return picks;
  }

  /**
   * The rank of each draw among {@code keys} (ascending; equal keys by draw index): draw j's leaf in a
   * {@link CanonicalSum} that lists the draws in data order, so that a partition holding a contiguous range of the
   * data holds a contiguous range of leaves.
   */
  public static int[] ranks(long[] keys) {
    Integer[] order = new Integer[keys.length];
    for (int j = 0; j < keys.length; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : Integer.compare(a, b));
    int[] rank = new int[keys.length];
    for (int r = 0; r < keys.length; r++) {
      rank[order[r]] = r;
    }
    return rank;
  }

  /**
   * Which draws of {@link #examples} fall in the examples {@code [offset, offset + size)} that one Spark partition
   * holds: the indices j (ascending) with {@code picks[j]} in that range. The union over partitions is every j once.
   */
  public static int[] owned(long[] picks, long offset, int size) {
    int[] mine = new int[picks.length];
    int n = 0;
    for (int j = 0; j < picks.length; j++) {
      if (picks[j] >= offset && picks[j] < offset + size) {
        mine[n++] = j;
      }
    }
    return Arrays.copyOf(mine, n);
  }

  /** The dropout seed of the group of windows of step {@code step} whose first window is {@code firstWindow}. */
  public static long dropoutSeed(long seed, long step, int firstWindow) {
    return Seeds.derive(seed, step, 1, firstWindow);
  }

  /**
   * A (rows, T) batch of the windows {@code starts[windows[from .. to-1]]}, read from {@code tokens}, which holds the
   * stream from global position {@code tokensOffset} on. Every window must lie inside {@code tokens}.
   */
  public static Batch gather(int[] tokens, long tokensOffset, long[] starts, int[] windows, int from, int to,
      int blockSize) {
    int rows = to - from;
    int[] inputs = new int[rows * blockSize]; // (B, T)
    int[] targets = new int[rows * blockSize]; // (B, T)
    for (int b = 0; b < rows; b++) {
      long local = starts[windows[from + b]] - tokensOffset;
      if (local < 0 || local + blockSize + 1 > tokens.length) {
        throw new IllegalArgumentException("GlobalBatch.gather: window at " + starts[windows[from + b]]
            + " is outside the tokens held, [" + tokensOffset + ", " + (tokensOffset + tokens.length) + ")");
      }
      System.arraycopy(tokens, (int) local, inputs, b * blockSize, blockSize);
      System.arraycopy(tokens, (int) local + 1, targets, b * blockSize, blockSize);
    }
    return new Batch(inputs, targets, rows, blockSize);
  }

  /** The indices {@code 0 .. n-1}: all windows of a batch, in order. */
  public static int[] all(int n) {
    int[] all = new int[n];
    for (int j = 0; j < n; j++) {
      all[j] = j;
    }
    return all;
  }
}
