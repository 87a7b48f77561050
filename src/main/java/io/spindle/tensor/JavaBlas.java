package io.spindle.tensor;

import dev.ludovic.netlib.blas.BLAS;

/**
 * The pure-Java fallback: Spark's own {@code dev.ludovic.netlib} BLAS in its Java implementation, which uses the
 * incubating Vector API when the JVM runs with {@code --add-modules jdk.incubator.vector} (about 3x faster than
 * without). Single-threaded. Column-major underneath: a row-major {@code C = op(A) op(B)} is computed as the
 * column-major {@code C^T = op(B)^T op(A)^T}, which is the same memory.
 */
final class JavaBlas implements Blas {
  private final BLAS blas = dev.ludovic.netlib.blas.JavaBLAS.getInstance();

  @Override
  public String name() {
    return "java";
  }

  @Override
  public String describe() {
    return "pure-Java BLAS " + blas.getClass().getSimpleName() + " (single thread)";
  }

  @Override
  public boolean prefersDirectMemory() {
    return false;
  }

  @Override
  public void setThreads(int threads) {
    Blas.requireThreads(threads); // then ignored: one thread
  }

  @Override
  public int threads() {
    return 1;
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb,
      float beta, Storage c, int cOffset, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      // An empty sum: C = beta * C. netlib's index checks reject the empty operands, so do it here.
      scaleInPlace(c, cOffset, m, n, ldc, beta);
      return;
    }
    if (!c.isDirect() && !a.isDirect() && !b.isDirect()) {
      blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
          b.array(), bOffset, ldb, a.array(), aOffset, lda, beta, c.array(), cOffset, ldc);
      return;
    }
    // Off-heap operands (storage made while the native backend was active): copy through arrays.
    float[] ac = copy(a, aOffset, transA ? k : m, transA ? m : k, lda);
    float[] bc = copy(b, bOffset, transB ? n : k, transB ? k : n, ldb);
    float[] cc = copy(c, cOffset, m, n, ldc);
    blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, bc, 0, ldb, ac, 0, lda, beta, cc, 0, ldc);
    c.buffer().put(cOffset, cc, 0, cc.length);
  }

  /** The floats from the first to the last element of a rows x cols window with row stride ld. */
  private static float[] copy(Storage s, int offset, int rows, int cols, int ld) {
    float[] out = new float[(rows - 1) * ld + cols];
    s.buffer().get(offset, out, 0, out.length);
    return out;
  }

  private static void scaleInPlace(Storage c, int offset, int m, int n, int ldc, float beta) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int index = offset + i * ldc + j;
        c.set(index, beta == 0 ? 0f : beta * c.get(index));
      }
    }
  }
}
