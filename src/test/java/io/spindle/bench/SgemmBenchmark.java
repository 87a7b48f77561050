package io.spindle.bench;

import io.spindle.tensor.Backends;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Storage;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-threaded sgemm throughput of each BLAS backend at the shapes a small transformer trains with.
 *
 * <p>{@code shape} is the forward product {@code C = A B} as {@code MxKxN}: A (M, K), B (K, N), C (M, N).
 * {@code pass} picks the product that runs: {@code forward} is C = A B; {@code dA} is the input gradient
 * dA = dC B^T (an (M, N) by (K, N)^T product, transB); {@code dB} is the weight gradient dB = A^T dC (transA). All
 * three are 2 M K N floating-point operations. The gradients accumulate ({@code beta = 1}), as in training.
 *
 * <p>Each backend is constructed directly (not through the JVM-wide selection) and gets operands in the memory it
 * uses in training: off-heap for native, on-heap arrays for java. Scores are calls per second; {@link SgemmTable}
 * turns them into GFLOP/s. Run through {@code bin/bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SgemmBenchmark {

  @Param({"native", "java"})
  public String backend;

  @Param({"1024x1024x1024", "4096x256x768", "4096x768x256", "4096x256x256"})
  public String shape;

  @Param({"forward", "dA", "dB"})
  public String pass;

  private Blas blas;
  private boolean transA;
  private boolean transB;
  private int m;
  private int n;
  private int k;
  private Storage x;
  private Storage y;
  private Storage out;
  private float beta;

  /** {M, K, N} of a {@code MxKxN} shape parameter. */
  static int[] dimensions(String shape) {
    String[] parts = shape.split("x");
    if (parts.length != 3) {
      throw new IllegalArgumentException("SgemmBenchmark: shape must be MxKxN, got '" + shape + "'");
    }
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
  }

  /** Floating-point operations in one call at this shape, whatever the pass: 2 M K N. */
  static double flops(String shape) {
    int[] mkn = dimensions(shape);
    return 2.0 * mkn[0] * mkn[1] * mkn[2];
  }

  @Setup(Level.Trial)
  public void setUp() {
    blas = Backends.create(backend);
    blas.setThreads(1);
    int[] mkn = dimensions(shape);
    int bigM = mkn[0];
    int bigK = mkn[1];
    int bigN = mkn[2];
    SplittableRandom rnd = new SplittableRandom(42);
    switch (pass) {
      case "forward": // C = A B
        m = bigM;
        n = bigN;
        k = bigK;
        x = random(rnd, bigM * bigK); // A (M, K)
        y = random(rnd, bigK * bigN); // B (K, N)
        beta = 0f;
        break;
      case "dA": // dA = dC B^T
        m = bigM;
        n = bigK;
        k = bigN;
        transB = true;
        x = random(rnd, bigM * bigN); // dC (M, N)
        y = random(rnd, bigK * bigN); // B (K, N)
        beta = 1f;
        break;
      case "dB": // dB = A^T dC
        m = bigK;
        n = bigN;
        k = bigM;
        transA = true;
        x = random(rnd, bigM * bigK); // A (M, K)
        y = random(rnd, bigM * bigN); // dC (M, N)
        beta = 1f;
        break;
      default:
        throw new IllegalArgumentException("SgemmBenchmark: pass must be forward, dA or dB, got '" + pass + "'");
    }
    out = Backends.allocateFor(blas, m * n); // (m, n)
  }

  private Storage random(SplittableRandom rnd, int length) {
    Storage s = Backends.allocateFor(blas, length);
    for (int i = 0; i < length; i++) {
      s.set(i, (float) (rnd.nextDouble() * 2 - 1));
    }
    return s;
  }

  @Benchmark
  public float sgemm() {
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    blas.sgemm(transA, transB, m, n, k, 1f, x, 0, lda, y, 0, ldb, beta, out, 0, n);
    return out.get(0);
  }
}
