package io.spindle.tensor;

import static org.bytedeco.openblas.global.openblas_full.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_full.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_full.CblasTrans;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_full;

/**
 * OpenBLAS through JavaCPP's presets; the native libraries for Linux (x86-64, arm64), macOS (x86-64, arm64) and
 * Windows (x86-64) travel inside the jar and are unpacked to JavaCPP's cache on first use, so executors need no
 * per-node install.
 *
 * <p>Off-heap storage is passed by address (no copy). On-heap storage also works, but JNI copies those arrays in and
 * out on every call.
 *
 * <p><b>Sharing the process with MLlib's native BLAS.</b> The bundled libraries carry the soname
 * {@code libopenblas.so.0}, the same as a system OpenBLAS. MLlib's BLAS (netlib's {@code JNIBLAS}) opens the
 * system's {@code libblas.so.3} by default; on a machine with a distribution's OpenBLAS that wrapper then binds to
 * the bundled {@code libopenblas.so.0} already in the process, a different OpenBLAS release, and crashes the JVM
 * (SIGSEGV in {@code daxpy}, seen with Debian's 0.3.21 under {@code LogisticRegression}). So loading points netlib
 * at the bundled library itself ({@value #NETLIB_PATH}), unless the user has set {@value #NETLIB_PATH} or
 * {@value #NETLIB_NAME}: MLlib then runs on the same OpenBLAS as Spindle. Only a JVM whose netlib loaded the system
 * BLAS before Spindle's first tensor operation keeps it, and then Spindle binds to that same system library (the
 * backend line in the log names its version); both work.
 */
final class NativeBlas implements Blas {

  /** Loads the native library; throws (any {@link Throwable}) when this platform has none or it cannot load. */
  NativeBlas() {
    Loader.load(openblas_full.class);
    shareWithNetlib();
  }

  /** netlib's system property for the path of the BLAS library its JNI layer opens. */
  static final String NETLIB_PATH = "dev.ludovic.netlib.blas.nativeLibPath";

  /** netlib's system property for the name of that library (default {@code libblas.so.3}). */
  static final String NETLIB_NAME = "dev.ludovic.netlib.blas.nativeLib";

  /** Points netlib at the bundled BLAS library just loaded, unless the user chose one (see the class comment). */
  private static void shareWithNetlib() {
    if (System.getProperty(NETLIB_PATH) != null || System.getProperty(NETLIB_NAME) != null) {
      return;
    }
    String path = Loader.getLoadedLibraries().get("openblas_nolapack@.0");
    if (path != null) { // JavaCPP's name for it on Linux; where it has another, netlib keeps its default
      System.setProperty(NETLIB_PATH, path);
    }
  }

  @Override
  public String name() {
    return "native";
  }

  @Override
  public String describe() {
    return openblas_full.openblas_get_config().getString().trim()
        + " (core " + openblas_full.openblas_get_corename().getString() + ", "
        + openblas_full.openblas_get_num_threads() + " thread(s))";
  }

  @Override
  public boolean prefersDirectMemory() {
    return true;
  }

  @Override
  public void setThreads(int threads) {
    openblas_full.openblas_set_num_threads(Blas.requireThreads(threads));
  }

  @Override
  public int threads() {
    return openblas_full.openblas_get_num_threads();
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb,
      float beta, Storage c, int cOffset, int ldc) {
    int ta = transA ? CblasTrans : CblasNoTrans;
    int tb = transB ? CblasTrans : CblasNoTrans;
    if (a.isDirect() && b.isDirect() && c.isDirect()) {
      openblas_full.cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha,
          a.pointer(aOffset), lda, b.pointer(bOffset), ldb, beta, c.pointer(cOffset), ldc);
    } else {
      // JavaCPP honours a buffer's position as the start and copies heap arrays across JNI.
      openblas_full.cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha,
          at(a, aOffset), lda, at(b, bOffset), ldb, beta, at(c, cOffset), ldc);
    }
  }

  @Override
  public void transpose(int rows, int cols, Storage a, int aOffset, int lda, Storage b, int bOffset, int ldb) {
    if (rows == 0 || cols == 0) {
      return;
    }
    if (a.isDirect() && b.isDirect()) {
      openblas_full.cblas_somatcopy(CblasRowMajor, CblasTrans, rows, cols, 1f, a.pointer(aOffset), lda,
          b.pointer(bOffset), ldb);
    } else {
      openblas_full.cblas_somatcopy(CblasRowMajor, CblasTrans, rows, cols, 1f, at(a, aOffset), lda,
          at(b, bOffset), ldb);
    }
  }

  private static FloatBuffer at(Storage s, int offset) {
    return s.buffer().duplicate().position(offset);
  }
}
