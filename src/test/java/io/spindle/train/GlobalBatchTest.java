package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.Batch;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The global batch: a pure function of (seed, step, window) over the whole stream, gathered from any slice. */
class GlobalBatchTest {
  @Test
  void startsArePureAndInRange() {
    long[] a = GlobalBatch.starts(5, 3, 64, 100, 16);
    assertArrayEquals(a, GlobalBatch.starts(5, 3, 64, 100, 16));
    assertTrue(Arrays.stream(a).allMatch(s -> s >= 0 && s <= 100 - 16 - 1), Arrays.toString(a));
    assertTrue(Arrays.stream(a).distinct().count() > 30, "spread over the stream: " + Arrays.toString(a));
    assertTrue(!Arrays.equals(a, GlobalBatch.starts(5, 4, 64, 100, 16)), "another step, other windows");
    assertTrue(!Arrays.equals(a, GlobalBatch.starts(6, 3, 64, 100, 16)), "another seed, other windows");
  }

  /**
   * Window j is drawn from the j-th of B equal strata of the possible starts, so two halves of the stream own B/2
   * windows each to within one: Spark tasks get even shares whatever the seed. Each stratum is still sampled over its
   * whole width (its first and last start both occur over many steps).
   */
  @Test
  void startsAreStratifiedSoPartitionsGetEvenShares() {
    long n = 1_000_003;
    int t = 128;
    int b = 64;
    long range = n - t;
    boolean[][] seenEnds = new boolean[b][2];
    for (int step = 0; step < 2000; step++) {
      long[] starts = GlobalBatch.starts(7, step, b, n, t);
      int firstHalf = 0;
      for (int j = 0; j < b; j++) {
        long lo = j * range / b;
        long hi = (j + 1) * range / b;
        assertTrue(starts[j] >= lo && starts[j] < hi, "window " + j + " at " + starts[j] + " outside [" + lo + ", "
            + hi + ")");
        firstHalf += starts[j] < n / 2 ? 1 : 0;
        seenEnds[j][0] |= starts[j] < lo + (hi - lo) / 10;
        seenEnds[j][1] |= starts[j] >= hi - (hi - lo) / 10;
      }
      assertTrue(Math.abs(firstHalf - b / 2) <= 1, "first half owns " + firstHalf + " of " + b);
    }
    for (int j = 0; j < b; j++) {
      assertTrue(seenEnds[j][0] && seenEnds[j][1], "stratum " + j + " sampled across its width");
    }
  }

  @Test
  void moreWindowsThanStartsStillDrawInRange() {
    long[] starts = GlobalBatch.starts(3, 1, 50, 20, 16); // 4 possible starts, 50 windows
    assertTrue(Arrays.stream(starts).allMatch(s -> s >= 0 && s < 4), Arrays.toString(starts));
  }

  @Test
  void longStreamsDrawBeyondTwoBillion() {
    long n = 10_000_000_000L;
    assertTrue(Arrays.stream(GlobalBatch.starts(1, 0, 256, n, 1024)).anyMatch(s -> s > Integer.MAX_VALUE));
  }

  @Test
  void gatheringFromASliceEqualsGatheringFromTheWholeStream() {
    int[] tokens = new int[200];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = i;
    }
    long[] starts = {5, 120, 60, 121};
    int[] all = GlobalBatch.all(4);
    Batch whole = GlobalBatch.gather(tokens, 0, starts, all, 0, 4, 8);
    assertArrayEquals(new int[] {5, 6, 7, 8, 9, 10, 11, 12}, Arrays.copyOf(whole.inputs(), 8));
    assertArrayEquals(new int[] {6, 7, 8, 9, 10, 11, 12, 13}, Arrays.copyOf(whole.targets(), 8));
    int[] slice = Arrays.copyOfRange(tokens, 100, 140);
    Batch part = GlobalBatch.gather(slice, 100, starts, new int[] {1, 3}, 0, 2, 8);
    assertArrayEquals(Arrays.copyOfRange(whole.inputs(), 8, 16), Arrays.copyOf(part.inputs(), 8));
    assertArrayEquals(Arrays.copyOfRange(whole.targets(), 24, 32), Arrays.copyOfRange(part.targets(), 8, 16));
    assertThrows(IllegalArgumentException.class, () -> GlobalBatch.gather(slice, 100, starts, all, 0, 1, 8));
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> GlobalBatch.starts(1, 0, 4, 16, 16));
    assertThrows(IllegalArgumentException.class, () -> GlobalBatch.starts(1, 0, 0, 100, 16));
  }

  @Test
  void ranksOrderDrawsByTheirKeysTiesByIndex() {
    org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 0, 3, 1, 4},
        GlobalBatch.ranks(new long[] {7, 3, 7, 5, 9}));
  }
}
