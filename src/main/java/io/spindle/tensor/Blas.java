package io.spindle.tensor;

import java.nio.FloatBuffer;

/**
 * The matrix-multiply kernel interface: the one place the engine hands work to a BLAS library.
 *
 * <p>All matrices are <em>row-major</em>. Two implementations exist: {@link NativeBlas} (OpenBLAS bundled in the jar
 * through JavaCPP) and {@link JavaBlas} (Spark's pure-Java {@code dev.ludovic.netlib} BLAS, vectorised when the JVM
 * runs with {@code --add-modules jdk.incubator.vector}). {@link #get()} returns the one chosen for this JVM by
 * {@link BlasSelection}: native unless it cannot load or the user forces Java with the system property
 * {@code spindle.blas=java} (or environment variable {@code SPINDLE_BLAS=java}).
 */
public interface Blas {

  /** The backend this JVM uses; chosen and logged once, on first use. */
  static Blas get() {
    return BlasSelection.active();
  }

  /** Short name for logs and benchmarks: {@code "native"} or {@code "java"}. */
  String name();

  /** A one-line description of the library behind this backend (version, CPU kernel). */
  String describe();

  /** Whether new {@link Storage} should be off-heap so this backend reads it without copying. */
  boolean prefersDirectMemory();

  /**
   * Threads this backend may use per call in this JVM. Spark runs one task per core, so the default is 1; a
   * single-process trainer may raise it. The pure-Java backend is single-threaded and ignores it.
   */
  void setThreads(int threads);

  /** {@code threads}, checked as every backend's {@link #setThreads} needs it: at least 1. */
  static int requireThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("BLAS threads must be >= 1, got " + threads);
    }
    return threads;
  }

  /** The threads per call set by {@link #setThreads} (always 1 for the single-threaded pure-Java backend). */
  int threads();

  /**
   * {@code C = alpha * op(A) * op(B) + beta * C}, row-major, where {@code op(X)} is {@code X} or its transpose.
   *
   * <p>{@code op(A)} is (m, k), {@code op(B)} is (k, n), {@code C} is (m, n); {@code lda}, {@code ldb},
   * {@code ldc} are the row strides of A, B, C as stored (so {@code lda} is k for untransposed A and m for
   * transposed A when A is contiguous). With {@code beta == 0} C's previous content is ignored, NaN included.
   */
  void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Storage a, int aOffset, int lda,
      Storage b, int bOffset, int ldb,
      float beta, Storage c, int cOffset, int ldc);

  /**
   * {@code B = A^T}, row-major: A is (rows, cols) with row stride {@code lda}, B is (cols, rows) with row stride
   * {@code ldb}; the two must not overlap. This default is a tiled Java loop; {@link NativeBlas} uses OpenBLAS's
   * {@code somatcopy}.
   */
  default void transpose(int rows, int cols, Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb) {
    FloatBuffer src = a.buffer();
    FloatBuffer dst = b.buffer();
    int tile = 32; // a 32 x 32 tile of each side stays in L1 while it is copied
    for (int i0 = 0; i0 < rows; i0 += tile) {
      for (int j0 = 0; j0 < cols; j0 += tile) {
        for (int i = i0; i < Math.min(rows, i0 + tile); i++) {
          for (int j = j0; j < Math.min(cols, j0 + tile); j++) {
            dst.put(bOffset + j * ldb + i, src.get(aOffset + i * lda + j));
          }
        }
      }
    }
  }
}
