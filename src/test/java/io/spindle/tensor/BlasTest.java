package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both BLAS backends against a double-precision triple loop, through the row-major {@link Blas#sgemm} contract:
 * every transpose combination, operands that are windows inside larger storage (offsets, leading dimensions above
 * the minimum), general alpha and beta, and on-heap and off-heap storage mixed in one call.
 */
class BlasTest {
  /** Where each operand lives: bit 0 for A, bit 1 for B, bit 2 for C; a set bit means off-heap. */
  private static final int ALL_PLACEMENTS = 8;

  private final Random rnd = new Random(7);

  private static Blas backend(String name) {
    if ("native".equals(name)) {
      assumeTrue(nativeLoads(), "native OpenBLAS does not load on this platform");
    }
    return Backends.create(name);
  }

  private static boolean nativeLoads() {
    try {
      new NativeBlas();
      return true;
    } catch (Throwable e) { // any failure to load means "no native library here", which skips the native cases
      return false;
    }
  }

  /** One operand: a rows x cols window at {@code offset} with row stride {@code ld}, filled with values and guards. */
  private static final class Operand {
    final float[] data;
    final int offset;
    final int ld;
    final Storage storage;

    Operand(Random rnd, int rows, int cols, int offset, int ld, boolean offHeap) {
      this.offset = offset;
      this.ld = ld;
      // Tight: the last row ends the storage, so an implementation reading or writing rows * ld floats overruns.
      int length = rows == 0 ? offset : offset + (rows - 1) * ld + cols;
      data = new float[length];
      for (int i = 0; i < length; i++) {
        data[i] = rnd.nextFloat() * 2 - 1;
      }
      storage = offHeap ? Storage.allocate(length, true) : Storage.wrap(data.clone());
      if (offHeap) {
        storage.buffer().put(0, data);
      }
    }

    double at(int row, int col) {
      return data[offset + row * ld + col];
    }
  }

  /**
   * Runs one sgemm on {@code blas} and compares it with the triple loop in double. Every float of C's storage
   * outside the (m, n) window must come back untouched.
   */
  private void check(Blas blas, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta,
      int placement, boolean nanInC) {
    Operand a = new Operand(rnd, ta ? k : m, ta ? m : k, 3, (ta ? m : k) + 2, (placement & 1) != 0);
    Operand b = new Operand(rnd, tb ? n : k, tb ? k : n, 5, (tb ? k : n) + 3, (placement & 2) != 0);
    Operand c = new Operand(rnd, m, n, 2, n + 4, (placement & 4) != 0);
    if (nanInC) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          c.storage.set(c.offset + i * c.ld + j, Float.NaN);
        }
      }
    }
    blas.sgemm(ta, tb, m, n, k, alpha, a.storage, a.offset, a.ld, b.storage, b.offset, b.ld,
        beta, c.storage, c.offset, c.ld);

    String where = blas.name() + " ta=" + ta + " tb=" + tb + " (m,n,k)=(" + m + "," + n + "," + k + ") alpha="
        + alpha + " beta=" + beta + " off-heap A,B,C=" + (placement & 1) + "," + (placement >> 1 & 1) + ","
        + (placement >> 2 & 1);
    // Each product and partial sum rounds by at most 2^-24 relative; with |entries| <= 1 the partial sums stay
    // below k, so k * k * 2^-23 bounds the float error; 1e-6 * (k + 1)^2 is that with room to spare.
    double tolerance = 1e-6 * (k + 1) * (k + 1);
    boolean[] inWindow = new boolean[c.data.length];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          sum += (ta ? a.at(p, i) : a.at(i, p)) * (tb ? b.at(j, p) : b.at(p, j));
        }
        int index = c.offset + i * c.ld + j;
        double expected = alpha * sum + (beta == 0 ? 0 : beta * c.data[index]);
        assertEquals(expected, c.storage.get(index), tolerance, where + " at C[" + i + "," + j + "]");
        inWindow[index] = true;
      }
    }
    for (int index = 0; index < c.data.length; index++) {
      if (!inWindow[index]) {
        assertEquals(c.data[index], c.storage.get(index), 0f, where + ": storage outside C's window changed at " + index);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "java"})
  void allTransposesAndPlacementsMatchTripleLoop(String name) {
    Blas blas = backend(name);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int placement = 0; placement < ALL_PLACEMENTS; placement++) {
          check(blas, ta, tb, 5, 7, 3, 1.5f, -0.5f, placement, false);
          check(blas, ta, tb, 5, 7, 3, 1f, 0f, placement, false);
        }
      }
    }
  }

  /** Sizes past the kernels' register blocks, with ragged edges in every dimension. */
  @ParameterizedTest
  @ValueSource(strings = {"native", "java"})
  void largerRaggedShapesMatchTripleLoop(String name) {
    Blas blas = backend(name);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        check(blas, ta, tb, 37, 29, 67, -0.75f, 2f, 0, false);
        check(blas, ta, tb, 37, 29, 67, -0.75f, 2f, ALL_PLACEMENTS - 1, false);
        check(blas, ta, tb, 1, 33, 17, 1f, 1f, 5, false);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "java"})
  void betaZeroIgnoresNaNInC(String name) {
    Blas blas = backend(name);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int placement = 0; placement < ALL_PLACEMENTS; placement++) {
          check(blas, ta, tb, 6, 4, 9, 0.5f, 0f, placement, true);
        }
      }
    }
  }

  /** k = 0 is an empty sum: C becomes beta * C. */
  @ParameterizedTest
  @ValueSource(strings = {"native", "java"})
  void emptyInnerDimensionScalesC(String name) {
    Blas blas = backend(name);
    for (int placement = 0; placement < ALL_PLACEMENTS; placement++) {
      check(blas, false, false, 4, 3, 0, 2f, 0.5f, placement, false);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "java"})
  void nonPositiveThreadCountsAreRejected(String name) {
    Blas blas = backend(name);
    assertThrows(IllegalArgumentException.class, () -> blas.setThreads(0));
    assertThrows(IllegalArgumentException.class, () -> blas.setThreads(-2));
    blas.setThreads(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"native", "java"})
  void backendsPreferTheStorageTheyReadInPlace(String name) {
    Blas blas = backend(name);
    assertEquals(name, blas.name());
    assertEquals("native".equals(name), blas.prefersDirectMemory());
    assertEquals(blas.prefersDirectMemory(), Backends.allocateFor(blas, 16).isDirect());
  }

  @Test
  void selectionPicksJavaWhenAsked() {
    assertInstanceOf(JavaBlas.class, BlasSelection.choose("java"));
    assertInstanceOf(JavaBlas.class, BlasSelection.choose("JAVA"));
  }

  @Test
  void selectionPrefersNativeOnAutoAndUnknownValues() {
    assumeTrue(nativeLoads(), "native OpenBLAS does not load on this platform");
    assertInstanceOf(NativeBlas.class, BlasSelection.choose(null));
    assertInstanceOf(NativeBlas.class, BlasSelection.choose(""));
    assertInstanceOf(NativeBlas.class, BlasSelection.choose("auto"));
    assertInstanceOf(NativeBlas.class, BlasSelection.choose("native"));
    assertInstanceOf(NativeBlas.class, BlasSelection.choose("fortran"));
  }

  @Test
  void storageKindFollowsTheRequest() {
    assertEquals(true, Storage.allocate(10, true).isDirect());
    assertEquals(false, Storage.allocate(10, false).isDirect());
    assertEquals(10, Storage.allocate(10, true).length());
  }
}
