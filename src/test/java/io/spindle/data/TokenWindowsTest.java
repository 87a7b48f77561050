package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenWindowsTest {
  /** tokens[i] = 100 + i, so a token's value tells its position. */
  private static int[] stream(int n) {
    return IntStream.range(0, n).map(i -> 100 + i).toArray();
  }

  @Test
  void sampledWindowsHaveShapeBTAndTargetsShiftedByOne() {
    int[] tokens = stream(50);
    TokenWindows windows = new TokenWindows(tokens, 8);
    Batch batch = windows.sample(5, new SplittableRandom(1));
    assertEquals(5, batch.batch());
    assertEquals(8, batch.time());
    assertEquals(40, batch.inputs().length);
    assertEquals(40, batch.targets().length);
    for (int b = 0; b < 5; b++) {
      int start = batch.input(b, 0) - 100;
      assertTrue(start >= 0 && start + 8 < 50, "start " + start);
      for (int t = 0; t < 8; t++) {
        assertEquals(tokens[start + t], batch.input(b, t));
        assertEquals(tokens[start + t + 1], batch.target(b, t));
      }
    }
    assertEquals(40, batch.targetCount());
  }

  @Test
  void seededSamplingIsDeterministicAndCoversEveryStart() {
    TokenWindows windows = new TokenWindows(stream(12), 4);
    assertEquals(windows.sample(3, new SplittableRandom(42)), windows.sample(3, new SplittableRandom(42)));
    assertNotEquals(windows.sample(16, new SplittableRandom(1)), windows.sample(16, new SplittableRandom(2)));
    // starts must range over exactly [0, n - T - 1] = [0, 7]
    Set<Integer> starts = new HashSet<>();
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 200; i++) {
      starts.add(windows.sample(1, random).input(0, 0) - 100);
    }
    assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7), starts);
  }

  @Test
  void evaluationWindowsCountEveryTargetOnceIncludingThePartialLast() {
    int[] tokens = stream(12); // 11 targets, T = 4: windows of 4, 4, 3
    TokenWindows windows = new TokenWindows(tokens, 4);
    assertEquals(3, windows.evaluationWindowCount());
    List<Batch> batches = windows.evaluationBatches(2);
    assertEquals(2, batches.size());
    assertEquals(2, batches.get(0).batch());
    assertEquals(1, batches.get(1).batch());
    assertArrayEquals(new int[] {100, 101, 102, 103, 104, 105, 106, 107}, batches.get(0).inputs());
    assertArrayEquals(new int[] {101, 102, 103, 104, 105, 106, 107, 108}, batches.get(0).targets());
    assertArrayEquals(new int[] {108, 109, 110, 111}, batches.get(1).inputs());
    assertArrayEquals(new int[] {109, 110, 111, Batch.IGNORE}, batches.get(1).targets());
    int counted = batches.stream().mapToInt(Batch::targetCount).sum();
    assertEquals(tokens.length - 1, counted);
    assertThrows(IndexOutOfBoundsException.class, () -> batches.get(2));
  }

  @Test
  void evaluationWithoutRemainderHasNoIgnoredTargets() {
    TokenWindows windows = new TokenWindows(stream(9), 4); // 8 targets = 2 full windows
    List<Batch> batches = windows.evaluationBatches(8);
    assertEquals(1, batches.size());
    assertEquals(2, batches.get(0).batch());
    assertEquals(8, batches.get(0).targetCount());
  }

  @Test
  void shortStreamsAndBadSizesAreRejectedWithTheLengths() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TokenWindows(stream(8), 8));
    assertTrue(e.getMessage().contains("8 tokens") && e.getMessage().contains("at least 9"), e.getMessage());
    new TokenWindows(stream(9), 8).sample(1, new SplittableRandom(0));
    assertThrows(IllegalArgumentException.class, () -> new TokenWindows(stream(9), 0));
    TokenWindows windows = new TokenWindows(stream(9), 4);
    assertThrows(IllegalArgumentException.class, () -> windows.sample(0, new SplittableRandom()));
    assertThrows(IllegalArgumentException.class, () -> new Batch(new int[6], new int[5], 2, 3));
  }

  @Test
  void splitKeepsTheLastFractionForValidation() {
    int[] tokens = stream(100);
    TokenSplit split = TokenSplit.of(tokens, 0.05);
    assertEquals(95, split.train().length);
    assertEquals(5, split.validation().length);
    assertEquals(100, split.train()[0]);
    assertEquals(195, split.validation()[0]);
    assertEquals(199, split.validation()[4]);
    assertEquals(0, TokenSplit.of(tokens, 0).validation().length);
    assertThrows(IllegalArgumentException.class, () -> TokenSplit.of(tokens, 1.0));
    assertThrows(IllegalArgumentException.class, () -> TokenSplit.of(tokens, Double.NaN));
  }
}
