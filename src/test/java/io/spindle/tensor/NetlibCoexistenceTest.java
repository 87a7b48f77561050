package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.blas.NativeBLAS;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Spindle's bundled OpenBLAS and MLlib's native BLAS (netlib's JNI layer, which {@code LogisticRegression}, ALS and
 * the like call) in one JVM, Spindle loaded first: before the fix in {@link NativeBlas} this crashed the JVM
 * (SIGSEGV in {@code daxpy}) wherever a system OpenBLAS provides {@code libblas.so.3}, as Debian's does on this
 * machine and in CI. It runs in a child JVM, fresh, so that a crash is an exit status, not a dead test run.
 */
class NetlibCoexistenceTest {

  /** The child: Spindle's native backend first, then netlib's native daxpy and dgemm, checked against exact sums. */
  public static void main(String[] args) {
    Blas spindle = BlasSelection.choose("native");
    Storage a = Storage.allocate(4, true);
    Storage c = Storage.allocate(4, true);
    for (int i = 0; i < 4; i++) {
      a.set(i, i + 1); // (2, 2)
    }
    spindle.sgemm(false, true, 2, 2, 2, 1f, a, 0, 2, a, 0, 2, 0f, c, 0, 2); // a a^T = [[5, 11], [11, 25]]
    double[] x = new double[100_000];
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
      y[i] = 1;
    }
    NativeBLAS netlib = NativeBLAS.getInstance();
    netlib.daxpy(x.length, 2.0, x, 1, y, 1);
    double[] m = {1, 2, 3, 4}; // column-major (2, 2)
    double[] p = new double[4];
    netlib.dgemm("N", "T", 2, 2, 2, 1.0, m, 2, m, 2, 0.0, p, 2);
    System.out.println("sgemm " + c.get(0) + " " + c.get(1) + " " + c.get(3) + " daxpy " + y[99_999] + " dgemm "
        + p[0] + " " + p[2] + " " + p[3] + " netlib " + System.getProperty(NativeBlas.NETLIB_PATH));
  }

  @Test
  void mllibsNativeBlasWorksAfterSpindlesIsLoaded() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-")) {
        command.add(flag);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), NetlibCoexistenceTest.class.getName()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(2, TimeUnit.MINUTES), out);
    assertEquals(0, child.exitValue(), "the child JVM died:\n" + out);
    // 1 + 2 * 99,999 for daxpy; m m^T = [[10, 14], [14, 20]] column-major for dgemm.
    assertTrue(out.contains("sgemm 5.0 11.0 25.0 daxpy 199999.0 dgemm 10.0 14.0 20.0 netlib "), out);
    assertTrue(out.contains("libopenblas_nolapack"), "netlib should open the bundled library:\n" + out);
  }
}
