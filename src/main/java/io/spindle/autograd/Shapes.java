package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Layout ops: {@link #reshape} (a view, no copy), {@link #transpose}, {@link #split} and {@link #concat} (contiguous
 * copies). None of them does arithmetic, so each backward moves the output gradient back to where its elements came
 * from and adds it there.
 *
 * <p>Dimension arguments may be negative and then count from the end: {@code -1} is the last dimension. Copies move
 * whole contiguous runs where the layout allows, e.g. one head's HS floats at a time when attention turns
 * (B, T, NH, HS) into (B, NH, T, HS).
 */
public final class Shapes {
  /** Runs shorter than this are copied element by element; a bulk buffer copy costs more to set up. */
  private static final int SHORT_RUN = 16;

  private Shapes() {}

  /**
   * {@code x} with another shape of the same size, sharing its storage; one dimension may be -1 (inferred).
   *
   * <p>Backward: {@code dx += dout}, read in row-major order (the derivative of a relabelling is the identity).
   */
  public static Variable reshape(Graph g, Variable x, int... shape) {
    int[] xs = x.shape();
    Tensor out;
    try {
      out = x.value().reshape(shape); // (shape...), a view of x
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reshape: cannot view " + Shape.toString(xs) + " (" + x.value().size()
          + " elements) as " + Shape.toString(shape), e);
    }
    return g.record(out, dout -> {
      // out = x viewed with another shape: dx += dout element for element
      g.gradOf(x).addInPlace(dout);
    }, x);
  }

  /**
   * {@code x} with dimensions {@code dim0} and {@code dim1} swapped, as a new contiguous tensor:
   * {@code out[..., j, ..., i, ...] = x[..., i, ..., j, ...]}. Equal dimensions give a plain copy.
   *
   * <p>Backward: {@code dx += dout} with the same two dimensions swapped back.
   */
  public static Variable transpose(Graph g, Variable x, int dim0, int dim1) {
    int[] xs = x.shape();
    int d0 = axis("transpose", dim0, xs);
    int d1 = axis("transpose", dim1, xs);
    Swap swap = new Swap(xs, Math.min(d0, d1), Math.max(d0, d1));
    int[] os = xs.clone();
    os[d0] = xs[d1];
    os[d1] = xs[d0];
    Tensor out = g.empty(os); // x's shape with d0, d1 swapped
    swap.apply(x.value(), out, false);
    return g.record(out, dout -> {
      // out = transpose(x, d0, d1): dx += transpose(dout, d0, d1)
      swap.inverse().apply(dout, g.gradOf(x), true);
    }, x);
  }

  /**
   * Cuts {@code x} along {@code dim} into consecutive pieces of the given sizes (which must sum to that dimension),
   * each a new contiguous tensor; e.g. qkv (B, T, 3C) into three (B, T, C) with {@code split(g, qkv, -1, C, C, C)}.
   *
   * <p>Backward of piece {@code j}: {@code dx[..., start_j : start_j + size_j, ...] += dpiece_j}; pieces that reach
   * the loss add into disjoint ranges of {@code dx}.
   */
  public static Variable[] split(Graph g, Variable x, int dim, int... sizes) {
    int[] xs = x.shape();
    int d = axis("split", dim, xs);
    long total = 0;
    for (int size : sizes) {
      if (size < 0) {
        throw new IllegalArgumentException("split: negative size in " + Arrays.toString(sizes) + " for "
            + Shape.toString(xs));
      }
      total += size;
    }
    if (sizes.length == 0 || total != xs[d]) {
      throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " sum to " + total
          + " but dimension " + d + " of " + Shape.toString(xs) + " is " + xs[d]);
    }
    int outer = Shape.size(xs, 0, d);
    int inner = Shape.size(xs, d + 1, xs.length);
    int rowX = xs[d] * inner; // floats of x per outer index
    Variable[] pieces = new Variable[sizes.length];
    int start = 0;
    for (int j = 0; j < sizes.length; j++) {
      int[] ps = xs.clone();
      ps[d] = sizes[j];
      Tensor out = g.empty(ps); // x's shape with sizes[j] along d
      int from = start * inner;
      int run = sizes[j] * inner;
      copyRuns(x.value(), from, rowX, out, 0, run, outer, run, false);
      pieces[j] = g.record(out, dout -> {
        // piece = x[..., start : start + size, ...] along d: that range of dx += dout
        copyRuns(dout, 0, run, g.gradOf(x), from, rowX, outer, run, true);
      }, x);
      start += sizes[j];
    }
    return pieces;
  }

  /**
   * Joins {@code parts} along {@code dim}; they must agree in every other dimension. A variable may appear more
   * than once.
   *
   * <p>Backward: {@code dpart_j += dout[..., start_j : start_j + size_j, ...]}, so a repeated part receives the sum
   * of its slices.
   */
  public static Variable concat(Graph g, int dim, Variable... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concat: no parts");
    }
    Variable[] inputs = parts.clone(); // backward must see these parts even if the caller reuses the array
    int[] first = inputs[0].shape();
    int d = axis("concat", dim, first);
    int[] starts = new int[inputs.length];
    long total = 0;
    for (int j = 0; j < inputs.length; j++) {
      int[] ps = inputs[j].shape();
      int[] a = first.clone();
      int[] b = ps.clone();
      if (a.length == b.length) {
        a[d] = 0;
        b[d] = 0;
      }
      if (!Arrays.equals(a, b)) {
        throw Shape.mismatch("concat", first, ps, "parts must agree in every dimension but " + d);
      }
      starts[j] = (int) total;
      total += ps[d];
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("concat: " + total + " elements along dimension " + d + " overflow an int");
    }
    int[] os = first.clone();
    os[d] = (int) total;
    Tensor out = g.empty(os); // parts' shape with the sum of their sizes along d
    int outer = Shape.size(first, 0, d);
    int inner = Shape.size(first, d + 1, first.length);
    int rowOut = os[d] * inner; // floats of out per outer index
    for (int j = 0; j < inputs.length; j++) {
      int run = inputs[j].value().dim(d) * inner;
      copyRuns(inputs[j].value(), 0, run, out, starts[j] * inner, rowOut, outer, run, false);
    }
    return g.record(out, dout -> {
      // out = [part_0 | part_1 | ...] along d: dpart_j += its slice of dout
      for (int j = 0; j < inputs.length; j++) {
        Tensor dp = g.gradOf(inputs[j]);
        if (dp != null) {
          int run = dp.dim(d) * inner;
          copyRuns(dout, starts[j] * inner, rowOut, dp, 0, run, outer, run, true);
        }
      }
    }, inputs);
  }

  /** {@code dim} as an index in {@code [0, rank)}; negative values count from the end. */
  static int axis(String op, int dim, int[] shape) {
    int d = dim < 0 ? dim + shape.length : dim;
    if (d < 0 || d >= shape.length) {
      throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for " + Shape.toString(shape)
          + " (rank " + shape.length + ")");
    }
    return d;
  }

  /**
   * Copies (or adds) {@code count} runs of {@code run} floats: run {@code r} goes from {@code src} at
   * {@code srcOff + r * srcStride} to {@code dst} at {@code dstOff + r * dstStride}.
   */
  private static void copyRuns(Tensor src, int srcOff, int srcStride, Tensor dst, int dstOff, int dstStride,
      int count, int run, boolean accumulate) {
    FloatBuffer sb = src.buffer();
    FloatBuffer db = dst.buffer();
    int s = src.offset() + srcOff;
    int d = dst.offset() + dstOff;
    for (int r = 0; r < count; r++, s += srcStride, d += dstStride) {
      if (accumulate) {
        for (int i = 0; i < run; i++) {
          db.put(d + i, db.get(d + i) + sb.get(s + i));
        }
      } else if (run < SHORT_RUN) {
        for (int i = 0; i < run; i++) {
          db.put(d + i, sb.get(s + i));
        }
      } else {
        db.put(d, sb, s, run);
      }
    }
  }

  /**
   * A swap of two dimensions {@code lo <= hi}, seeing the source as (outer, a, mid, b, inner) and writing the
   * destination as (outer, b, mid, a, inner), where a and b are the swapped sizes, mid the dimensions between them
   * and inner the contiguous run behind {@code hi}. For (B, T, NH, HS) → (B, NH, T, HS) the runs are one head's HS
   * floats. {@code lo == hi} is seen as a = that size, mid = b = 1: a plain copy.
   */
  private static final class Swap {
    final int outer;
    final int a;
    final int mid;
    final int b;
    final int inner;

    Swap(int[] shape, int lo, int hi) {
      this(Shape.size(shape, 0, lo), shape[lo], lo == hi ? 1 : Shape.size(shape, lo + 1, hi),
          lo == hi ? 1 : shape[hi], Shape.size(shape, hi + 1, shape.length));
    }

    private Swap(int outer, int a, int mid, int b, int inner) {
      this.outer = outer;
      this.a = a;
      this.mid = mid;
      this.b = b;
      this.inner = inner;
    }

    /** The swap that undoes this one: the source is laid out as this one's destination. */
    Swap inverse() {
      return new Swap(outer, b, mid, a, inner);
    }

    void apply(Tensor src, Tensor dst, boolean accumulate) {
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < a; i++) {
          for (int m = 0; m < mid; m++) {
            for (int j = 0; j < b; j++) {
              int s = (((o * a + i) * mid + m) * b + j) * inner; // src[o, i, m, j, :]
              int d = (((o * b + j) * mid + m) * a + i) * inner; // dst[o, j, m, i, :]
              copyRuns(src, s, 0, dst, d, 0, 1, inner, accumulate);
            }
          }
        }
      }
    }
  }
}
