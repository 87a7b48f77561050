package io.spindle.tensor;

import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Per-thread {@code float[]} work arrays for element kernels.
 *
 * <p>Storage is off-heap under the native BLAS, and HotSpot's C2 compiler does not vectorise loops of
 * {@link java.nio.FloatBuffer} get/put. Kernels therefore bulk-copy a block (a row, or {@link #BLOCK} elements) into
 * a scratch array, compute on arrays in loops C2 turns into SIMD code, and bulk-copy the result back; the copies are
 * memcpy-speed and the block stays in L1 cache.
 *
 * <p>Order of use: {@code float[] a = Scratch.floats(slot, n)}, fill and use {@code a} in one loop, and call no other
 * kernel that might ask for the same slot meanwhile. Arrays grow on demand and are never shrunk; each thread has its
 * own, so Spark tasks on different threads never share one. The last two slots belong to {@link Tensor}'s own bulk
 * methods ({@link Tensor#addInPlace}); a kernel holding them must not call those.
 */
public final class Scratch {
  /** Elements per block in blocked element loops: 4 arrays of it fit a 32 KiB L1 data cache together. */
  public static final int BLOCK = 2048;
  /** Slots per thread. */
  public static final int SLOTS = 8;

  private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][]);
  private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[SLOTS][]);

  /** Never written: a source for bulk zero fills. */
  private static final float[] ZEROS = new float[BLOCK];

  private Scratch() {}

  /** A shared array of at least {@code length} zeros, to bulk-copy from; callers must never write to it. */
  public static float[] zeros(int length) {
    return length <= ZEROS.length ? ZEROS : new float[length];
  }

  /** This thread's array for {@code slot} (0 to {@link #SLOTS} - 1), at least {@code length} long, contents undefined. */
  public static float[] floats(int slot, int length) {
    return slot(ARRAYS.get(), slot, length, a -> a.length, float[]::new);
  }

  /** Like {@link #floats}, for kernels that compute in double; double slots are separate from float slots. */
  public static double[] doubles(int slot, int length) {
    return slot(DOUBLES.get(), slot, length, a -> a.length, double[]::new);
  }

  /** {@code arrays[slot]}, first replaced by a new array of {@code max(length, BLOCK)} if missing or shorter. */
  private static <A> A slot(A[] arrays, int slot, int length, ToIntFunction<A> lengthOf, IntFunction<A> make) {
    A a = arrays[slot];
    if (a == null || lengthOf.applyAsInt(a) < length) {
      a = make.apply(Math.max(length, BLOCK));
      arrays[slot] = a;
    }
    return a;
  }
}
