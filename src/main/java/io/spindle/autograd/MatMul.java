package io.spindle.autograd;

import io.spindle.tensor.Blas;
import io.spindle.tensor.Parallel;
import io.spindle.tensor.Scratch;
import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.util.Arrays;

/**
 * Batched matrix multiply {@code C = op(A) op(B)} on BLAS, with either operand optionally transposed.
 *
 * <p>Shapes: A is (..., M, K), or (..., K, M) when {@code transA}; B is (..., K, N), or (..., N, K) when
 * {@code transB}; C is (..., M, N). The leading (batch) dimensions of A and B must be equal, or one operand is a plain
 * matrix shared by every batch entry, as a weight is: {@code linear(x, W)} is {@code matmul(x, W, false, true)} with
 * x (B, T, C) and W (OC, C) in PyTorch's {@code Linear} layout, and runs as one (B*T, C) x (C, OC) gemm.
 */
public final class MatMul {
  /** Products below this many multiply-adds are never split over op threads. */
  private static final long PARALLEL_FLOPS = 1L << 20;
  /** Output rows per op thread at least. */
  private static final int ROW_GRAIN = 32;
  /** From this many summed rows on, {@link #weightGradient} transposes an operand first. */
  static final int TRANSPOSED_GRADIENT_ROWS = 512;

  private MatMul() {}

  /** {@code a @ b}. */
  public static Variable matmul(Graph g, Variable a, Variable b) {
    return matmul(g, a, b, false, false);
  }

  /** {@code op(a) @ op(b)}; see the class comment for shapes. */
  public static Variable matmul(Graph g, Variable a, Variable b, boolean transA, boolean transB) {
    Plan p = new Plan(a.value(), b.value(), transA, transB);
    Tensor out = g.empty(p.outShape);
    // forward: C[i] = op(A[i]) @ op(B[i])
    for (int i = 0; i < p.calls; i++) {
      gemm(transA, transB, p.m, p.n, p.k, 1f, a.value(), i * p.aStride, b.value(), i * p.bStride,
          0f, out, i * p.m * p.n);
    }
    return g.record(out, dout -> {
      Tensor da = g.gradOf(a);
      Tensor db = g.gradOf(b);
      for (int i = 0; i < p.calls; i++) {
        int co = i * p.m * p.n;
        if (da != null) {
          // dop(A) = dC @ op(B)^T; stored transposed when transA: dA = op(B) @ dC^T
          if (!transA) {
            gemm(false, !transB, p.m, p.k, p.n, 1f, dout, co, b.value(), i * p.bStride, 1f, da, i * p.aStride);
          } else {
            gemm(transB, true, p.k, p.m, p.n, 1f, b.value(), i * p.bStride, dout, co, 1f, da, i * p.aStride);
          }
        }
        if (db != null) {
          // dop(B) = op(A)^T @ dC; stored transposed when transB: dB = dC^T @ op(A)
          if (!transB) {
            gemm(!transA, false, p.k, p.n, p.m, 1f, a.value(), i * p.aStride, dout, co, 1f, db, i * p.bStride);
          } else if (!transA && p.calls == 1) {
            weightGradient(g, dout, a.value(), db, p.m, p.n, p.k); // a (M, K) times b^T, b (N, K): a weight's use
          } else {
            gemm(true, transA, p.n, p.k, p.m, 1f, dout, co, a.value(), i * p.aStride, 1f, db, i * p.bStride);
          }
        }
      }
    }, a, b);
  }

  /**
   * {@code x @ w^T (+ bias)} with w in PyTorch {@code Linear} layout (out, in): x (..., in) → (..., out).
   *
   * <p>With a weight matrix and a bias of shape (out) this is one fused op: the output starts as the bias repeated
   * over rows and the gemm adds {@code x w^T} to it, and backward takes the bias gradient as column sums of dout. That
   * saves the separate add's output, its gradient buffer and three passes over (..., out). Any other shapes go
   * through {@link #linearUnfused}, the composition of {@link #matmul} and {@link Elementwise#add}, which is also
   * the tests' oracle for the fused op.
   */
  public static Variable linear(Graph g, Variable x, Variable w, Variable bias) {
    Tensor xt = x.value();
    Tensor wt = w.value();
    if (bias == null || wt.rank() != 2 || xt.rank() < 2 || xt.dim(-1) != wt.dim(1)
        || !bias.value().hasShape(wt.dim(0))) {
      return linearUnfused(g, x, w, bias);
    }
    int in = wt.dim(1);
    int outDim = wt.dim(0);
    int rows = xt.size() / Math.max(1, in); // N = product of x's leading dimensions
    int[] os = xt.shape();
    os[os.length - 1] = outDim;
    Tensor out = g.empty(os); // (..., OUT)
    float[] bs = Scratch.floats(0, outDim);
    bias.value().buffer().get(bias.value().offset(), bs, 0, outDim);
    for (int r = 0; r < rows; r++) {
      out.buffer().put(out.offset() + r * outDim, bs, 0, outDim);
    }
    if (in > 0) {
      gemm(false, true, rows, outDim, in, 1f, xt, 0, wt, 0, 1f, out, 0); // out += x w^T: (N, OUT)
    }
    return g.record(out, dout -> {
      // out = x w^T + bias  =>  dx += dout w, dw += dout^T x, dbias += sum over rows of dout
      Tensor dx = g.gradOf(x);
      Tensor dw = g.gradOf(w);
      Tensor db = g.gradOf(bias);
      if (dx != null && in > 0) {
        gemm(false, false, rows, in, outDim, 1f, dout, 0, wt, 0, 1f, dx, 0);
      }
      if (dw != null && in > 0) {
        weightGradient(g, dout, xt, dw, rows, outDim, in);
      }
      if (db != null) {
        float[] acc = Scratch.floats(0, outDim);
        float[] row = Scratch.floats(1, outDim);
        db.buffer().get(db.offset(), acc, 0, outDim);
        for (int r = 0; r < rows; r++) {
          dout.buffer().get(dout.offset() + r * outDim, row, 0, outDim);
          for (int j = 0; j < outDim; j++) {
            acc[j] += row[j];
          }
        }
        db.buffer().put(db.offset(), acc, 0, outDim);
      }
    }, x, w, bias);
  }

  /** {@link #linear} as {@code add(matmul(x, w, false, true), bias)}: two recorded ops, any broadcastable bias. */
  public static Variable linearUnfused(Graph g, Variable x, Variable w, Variable bias) {
    Variable y = matmul(g, x, w, false, true);
    return bias == null ? y : Elementwise.add(g, y, bias);
  }

  /**
   * {@code dw += dout^T x}, the weight gradient of {@code out = x w^T}: a sum over the N rows of x (N = B*T) for
   * dout (N, OUT), x (N, IN) and dw (OUT, IN), each a whole contiguous tensor.
   *
   * <p>As one gemm call this reads both operands across their long N dimension (a transposed A with K = N), which
   * the bundled OpenBLAS ran slower than the same product with A's rows contiguous along K: over the four weight
   * gradients of a d = 128 GPT block, 13-16% slower at N = 2048 and 4096 (isolated products, warm caches). So from
   * {@link #TRANSPOSED_GRADIENT_ROWS} rows on, the narrower operand is first transposed into graph scratch
   * (N x min(IN, OUT) floats, about 3% of the product's time) and the product runs as a plain gemm:
   * {@code dw += doutT x} when OUT &lt; IN, else {@code t = xT dout} (IN, OUT), added to dw transposed. In a whole
   * training step (config A) the gain was within the VM's run-to-run noise.
   */
  static void weightGradient(Graph g, Tensor dout, Tensor x, Tensor dw, int n, int out, int in) {
    if (n < TRANSPOSED_GRADIENT_ROWS) {
      gemm(true, false, out, in, n, 1f, dout, 0, x, 0, 1f, dw, 0);
      return;
    }
    Blas blas = Blas.get();
    if (out < in) {
      Tensor doutT = g.empty(out, n); // (OUT, N)
      blas.transpose(n, out, dout.storage(), dout.offset(), out, doutT.storage(), doutT.offset(), n);
      gemm(false, false, out, in, n, 1f, doutT, 0, x, 0, 1f, dw, 0);
    } else {
      Tensor xT = g.empty(in, n); // (IN, N)
      blas.transpose(n, in, x.storage(), x.offset(), in, xT.storage(), xT.offset(), n);
      Tensor dwT = g.empty(in, out); // (IN, OUT)
      gemm(false, false, in, out, n, 1f, xT, 0, dout, 0, 0f, dwT, 0);
      Tensor back = g.empty(out, in); // (OUT, IN)
      blas.transpose(in, out, dwT.storage(), dwT.offset(), out, back.storage(), back.offset(), in);
      dw.addInPlace(back);
    }
  }

  /**
   * One row-major gemm on tensor windows: {@code out[oOff..] = alpha op(x[xOff..]) op(y[yOff..]) + beta out}, with
   * op(x) (m, k), op(y) (k, n), out (m, n), all contiguous.
   */
  static void gemm(boolean tx, boolean ty, int m, int n, int k, float alpha, Tensor x, int xOff, Tensor y, int yOff,
      float beta, Tensor out, int oOff) {
    gemm(tx, ty, m, n, k, alpha, x, xOff, tx ? m : k, y, yOff, ty ? k : n, beta, out, oOff, n);
  }

  /**
   * {@link #gemm} on strided windows: rows of x, y and out (as stored) are ldx, ldy and ldo floats apart.
   *
   * <p>With {@link Parallel} op threads on, a large product is cut into bands of output rows, each a single-threaded
   * BLAS call on its own thread: then the one pool of op threads does all the parallel work, instead of BLAS worker
   * threads that keep spinning on a core after each call while the op threads need it.
   */
  static void gemm(boolean tx, boolean ty, int m, int n, int k, float alpha, Tensor x, int xOff, int ldx, Tensor y,
      int yOff, int ldy, float beta, Tensor out, int oOff, int ldo) {
    Blas blas = Blas.get();
    int chunks = (long) m * n * k < PARALLEL_FLOPS ? 1 : Parallel.chunks(m, ROW_GRAIN);
    if (chunks == 1) {
      blas.sgemm(tx, ty, m, n, k, alpha, x.storage(), x.offset() + xOff, ldx, y.storage(), y.offset() + yOff, ldy,
          beta, out.storage(), out.offset() + oOff, ldo);
      return;
    }
    int blasThreads = blas.threads();
    blas.setThreads(1);
    try {
      Parallel.forRange(m, ROW_GRAIN, (chunk, from, to) -> {
        // rows [from, to) of op(x): rows of x as stored, or its columns when transposed
        int xs = x.offset() + xOff + (tx ? from : from * ldx);
        blas.sgemm(tx, ty, to - from, n, k, alpha, x.storage(), xs, ldx, y.storage(), y.offset() + yOff, ldy, beta,
            out.storage(), out.offset() + oOff + from * ldo, ldo);
      });
    } finally {
      blas.setThreads(blasThreads);
    }
  }

  /** Validated dimensions of one matmul: how many gemm calls, their size, and where each operand's matrix starts. */
  private static final class Plan {
    final int m;
    final int n;
    final int k;
    final int calls;
    final int aStride;
    final int bStride;
    final int[] outShape;

    Plan(Tensor a, Tensor b, boolean transA, boolean transB) {
      int[] as = a.shape();
      int[] bs = b.shape();
      if (as.length < 2 || bs.length < 2) {
        throw Shape.mismatch("matmul", as, bs, "both operands need at least 2 dimensions");
      }
      int mA = transA ? as[as.length - 1] : as[as.length - 2];
      int kA = transA ? as[as.length - 2] : as[as.length - 1];
      int kB = transB ? bs[bs.length - 1] : bs[bs.length - 2];
      int nB = transB ? bs[bs.length - 2] : bs[bs.length - 1];
      if (kA != kB) {
        throw Shape.mismatch("matmul", as, bs, "inner dimensions " + kA + " and " + kB + " differ"
            + (transA || transB ? ", transA=" + transA + " transB=" + transB : ""));
      }
      int[] batchA = Arrays.copyOf(as, as.length - 2);
      int[] batchB = Arrays.copyOf(bs, bs.length - 2);
      int[] batch;
      if (Arrays.equals(batchA, batchB)) {
        batch = batchA;
      } else if (batchB.length == 0) {
        batch = batchA;
      } else if (batchA.length == 0) {
        batch = batchB;
      } else {
        throw Shape.mismatch("matmul", as, bs, "batch dimensions differ");
      }
      int batchSize = Shape.size(batch);
      int mm = mA;
      int calls = batchSize;
      boolean aBatched = batchA.length > 0;
      boolean bBatched = batchB.length > 0;
      if (aBatched && !bBatched && !transA) {
        // A shared weight: fold the batch into A's rows and make one call.
        mm = batchSize * mA;
        calls = 1;
      }
      this.m = mm;
      this.n = nB;
      this.k = kA;
      this.calls = calls;
      this.aStride = aBatched ? mA * kA : 0;
      this.bStride = bBatched ? kA * nB : 0;
      int[] out = Arrays.copyOf(batch, batch.length + 2);
      out[batch.length] = mA;
      out[batch.length + 1] = nB;
      this.outShape = out;
    }
  }
}
