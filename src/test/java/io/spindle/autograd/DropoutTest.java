package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DropoutTest {
  private static final int N = 100_000;
  private final Random rnd = new Random(7);

  private static float[] run(Tensor x, float p, long seed) {
    return Dropout.dropout(Graph.inference(), Variable.constant(x), p, seed).value().toArray();
  }

  private static Tensor ones(int n) {
    return Tensor.zeros(n).fillInPlace(1f);
  }

  @Test
  void zeroProbabilityReturnsInput() {
    Variable x = Variable.constant(GradCheck.random(rnd, 3, 4));
    assertSame(x, Dropout.dropout(Graph.training(), x, 0f, 1L));
  }

  @Test
  void keptValuesAreScaledAndDroppedAreZero() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    float[] y = run(x, 0.25f, 11L);
    float scale = (float) (1 / 0.75);
    int kept = 0;
    for (int i = 0; i < y.length; i++) {
      boolean keep = Dropout.keep(SplitMix64.mix(11L + 0x9E3779B97F4A7C15L), i, 0.25f);
      assertEquals(keep ? x.get(i) * scale : 0f, y[i], 0f, "element " + i);
      kept += keep ? 1 : 0;
    }
    assertTrue(kept > 0 && kept < y.length);
  }

  @Test
  void sameSeedSameMaskOnEveryThread() throws Exception {
    Tensor x = ones(N);
    float[] expected = run(x, 0.5f, 1234L);
    assertArrayEquals(expected, run(x, 0.5f, 1234L));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?>[] results = new Future<?>[3];
      for (int k = 0; k < 3; k++) {
        results[k] = pool.submit(() -> run(x, 0.5f, 1234L));
      }
      for (Future<?> f : results) {
        assertArrayEquals(expected, (float[]) f.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  /** The documented stream: element i uses the (i+1)-th output of SplittableRandom seeded with a hashed seed. */
  @Test
  void maskIsTheSplitMix64StreamOfTheJdk() {
    long seed = -42L;
    float p = 0.5f;
    float[] y = run(ones(1000), p, seed);
    SplittableRandom stream = new SplittableRandom(new SplittableRandom(seed).nextLong());
    for (int i = 0; i < y.length; i++) {
      boolean keep = (stream.nextLong() >>> 11) * 0x1.0p-53 >= p;
      assertEquals(keep ? 2f : 0f, y[i], 0f, "element " + i);
    }
  }

  @Test
  void keepFractionIsOneMinusP() {
    Tensor x = ones(N);
    for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
      for (long seed : new long[] {0L, 1L, 99L}) {
        float[] y = run(x, p, seed);
        int kept = 0;
        for (float v : y) {
          kept += v != 0f ? 1 : 0;
        }
        // binomial standard deviation sqrt(p (1-p) / N) <= 0.0016; 0.01 is over 6 of them
        assertEquals(1 - p, kept / (double) N, 0.01, "p=" + p + " seed=" + seed);
      }
    }
  }

  @Test
  void differentSeedsGiveUncorrelatedMasks() {
    Tensor x = ones(N);
    float p = 0.3f;
    float[] base = run(x, p, 1L);
    for (long seed : new long[] {2L, 3L, 1L + 0x9E3779B97F4A7C15L}) {
      float[] other = run(x, p, seed);
      int agree = 0;
      for (int i = 0; i < N; i++) {
        agree += (base[i] != 0f) == (other[i] != 0f) ? 1 : 0;
      }
      // independent masks agree with probability p^2 + (1-p)^2 = 0.58
      assertEquals(0.58, agree / (double) N, 0.01, "seed " + seed);
    }
  }

  @Test
  void gradients() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    GradCheck.check("dropout (2,3,5)", (g, v) -> Dropout.dropout(g, v[0], 0.4f, 5L), x);
    GradCheck.check("dropout(x) * x", (g, v) -> Elementwise.mul(g, Dropout.dropout(g, v[0], 0.4f, 5L), v[0]), x);
  }

  @Test
  void gradientIsTheScaledMask() {
    Graph g = Graph.training();
    Variable x = Variable.leaf(GradCheck.random(rnd, 64));
    Variable y = Dropout.dropout(g, x, 0.5f, 9L);
    g.backward(Reductions.sum(g, y));
    for (int i = 0; i < 64; i++) {
      assertEquals(y.value().get(i) == 0f ? 0f : 2f, x.grad().get(i), 0f, "element " + i);
    }
  }

  @Test
  void probabilityOutsideUnitIntervalIsRejected() {
    Variable x = Variable.constant(Tensor.zeros(3));
    for (float p : new float[] {-0.1f, 1f, 1.5f, Float.NaN}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Dropout.dropout(Graph.inference(), x, p, 0L));
      assertEquals("dropout: p must be in [0, 1), got " + p, e.getMessage());
    }
  }
}
