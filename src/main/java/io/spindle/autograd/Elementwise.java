package io.spindle.autograd;

import io.spindle.tensor.Scratch;
import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;

/**
 * Elementwise add, subtract, multiply (with broadcasting over leading dimensions), scaling by a constant and the
 * exponential.
 *
 * <p>Broadcasting: the two shapes must be equal, or one must equal the trailing dimensions of the other, e.g. a bias
 * (C) added to (B, T, C), or position embeddings (T, C) added to (B, T, C). The output has the larger shape; the
 * smaller operand's gradient sums over the dimensions it was repeated along.
 */
public final class Elementwise {
  private Elementwise() {}

  private static final int ADD = 0;
  private static final int SUB = 1;
  private static final int MUL = 2;

  /** {@code a + b}. */
  public static Variable add(Graph g, Variable a, Variable b) {
    Broadcast p = Broadcast.of("add", a.value(), b.value());
    Tensor out = forward(g, p, a.value(), b.value(), ADD);
    return g.record(out, dout -> {
      // d(a + b)/da = 1, d(a + b)/db = 1, summed over broadcast repeats
      accumulate(g.gradOf(a), p.aRepeats, dout, null, false, 1f, p);
      accumulate(g.gradOf(b), p.bRepeats, dout, null, false, 1f, p);
    }, a, b);
  }

  /** {@code a - b}. */
  public static Variable sub(Graph g, Variable a, Variable b) {
    Broadcast p = Broadcast.of("sub", a.value(), b.value());
    Tensor out = forward(g, p, a.value(), b.value(), SUB);
    return g.record(out, dout -> {
      // d(a - b)/da = 1, d(a - b)/db = -1
      accumulate(g.gradOf(a), p.aRepeats, dout, null, false, 1f, p);
      accumulate(g.gradOf(b), p.bRepeats, dout, null, false, -1f, p);
    }, a, b);
  }

  /** {@code a * b} elementwise. */
  public static Variable mul(Graph g, Variable a, Variable b) {
    Broadcast p = Broadcast.of("mul", a.value(), b.value());
    Tensor out = forward(g, p, a.value(), b.value(), MUL);
    return g.record(out, dout -> {
      // d(a * b)/da = b, d(a * b)/db = a
      accumulate(g.gradOf(a), p.aRepeats, dout, b.value(), p.bRepeats, 1f, p);
      accumulate(g.gradOf(b), p.bRepeats, dout, a.value(), p.aRepeats, 1f, p);
    }, a, b);
  }

  /** {@code s * a} for a constant {@code s}. */
  public static Variable scale(Graph g, Variable a, float s) {
    Tensor x = a.value();
    Tensor out = map(g, x, (xs, len) -> {
      for (int i = 0; i < len; i++) {
        xs[i] *= s;
      }
    });
    Broadcast p = new Broadcast(x.shape(), 1, x.size(), false, false);
    return g.record(out, dout -> {
      // d(s * a)/da = s
      accumulate(g.gradOf(a), false, dout, null, false, s, p);
    }, a);
  }

  /**
   * {@code exp(a)} elementwise, each element computed in double ({@link Math#exp}) and rounded once to float; its
   * backward adds {@code dout * exp(a)}, reusing the output.
   */
  public static Variable exp(Graph g, Variable a) {
    Tensor x = a.value();
    Tensor out = map(g, x, (xs, len) -> {
      for (int i = 0; i < len; i++) {
        xs[i] = (float) Math.exp(xs[i]);
      }
    });
    Broadcast p = new Broadcast(x.shape(), 1, x.size(), false, false);
    return g.record(out, dout -> {
      // forward: y = exp(a); dy/da = exp(a) = y
      accumulate(g.gradOf(a), false, dout, out, false, 1f, p);
    }, a);
  }

  /** Changes the first {@code len} elements of a block in place. */
  private interface BlockOp {
    void apply(float[] xs, int len);
  }

  /** A new tensor shaped like {@code x} holding {@code op} of its elements, block by block through a scratch array. */
  private static Tensor map(Graph g, Tensor x, BlockOp op) {
    Tensor out = g.empty(x.shape()); // same shape as x
    float[] xs = Scratch.floats(0, Scratch.BLOCK);
    for (int start = 0; start < x.size(); start += Scratch.BLOCK) {
      int len = Math.min(Scratch.BLOCK, x.size() - start);
      x.buffer().get(x.offset() + start, xs, 0, len);
      op.apply(xs, len);
      out.buffer().put(out.offset() + start, xs, 0, len);
    }
    return out;
  }

  /** {@code out = a op b} with broadcasting, block by block through scratch arrays. */
  private static Tensor forward(Graph g, Broadcast p, Tensor a, Tensor b, int op) {
    Tensor out = g.empty(p.shape);
    float[] as = Scratch.floats(0, Scratch.BLOCK);
    float[] bs = Scratch.floats(1, Scratch.BLOCK);
    for (int r = 0; r < p.repeats; r++) {
      int base = r * p.inner;
      for (int start = 0; start < p.inner; start += Scratch.BLOCK) {
        int len = Math.min(Scratch.BLOCK, p.inner - start);
        a.buffer().get(a.offset() + (p.aRepeats ? 0 : base) + start, as, 0, len);
        b.buffer().get(b.offset() + (p.bRepeats ? 0 : base) + start, bs, 0, len);
        if (op == ADD) {
          for (int i = 0; i < len; i++) {
            as[i] += bs[i];
          }
        } else if (op == SUB) {
          for (int i = 0; i < len; i++) {
            as[i] -= bs[i];
          }
        } else {
          for (int i = 0; i < len; i++) {
            as[i] *= bs[i];
          }
        }
        out.buffer().put(out.offset() + base + start, as, 0, len);
      }
    }
    return out;
  }

  /**
   * One side's gradient: {@code grad[i mod n] += sign * dout[i] * other[i mod m]}, where {@code other == null}
   * stands for 1 (a sum's gradient). A repeated side ({@code gradRepeats}) sums its gradient over the repeats; a
   * null {@code grad} (no gradient needed) is skipped.
   */
  private static void accumulate(Tensor grad, boolean gradRepeats, Tensor dout, Tensor other, boolean otherRepeats,
      float sign, Broadcast p) {
    if (grad == null) {
      return;
    }
    float[] gs = Scratch.floats(0, Scratch.BLOCK);
    float[] ds = Scratch.floats(1, Scratch.BLOCK);
    float[] os = Scratch.floats(2, Scratch.BLOCK);
    for (int start = 0; start < p.inner; start += Scratch.BLOCK) {
      int len = Math.min(Scratch.BLOCK, p.inner - start);
      for (int r = 0; r < p.repeats; r++) {
        int base = r * p.inner;
        int gi = grad.offset() + (gradRepeats ? 0 : base) + start;
        if (r == 0 || !gradRepeats) {
          grad.buffer().get(gi, gs, 0, len); // a repeated side keeps its block in gs across the repeats
        }
        dout.buffer().get(dout.offset() + base + start, ds, 0, len);
        if (other == null) {
          for (int i = 0; i < len; i++) {
            gs[i] += sign * ds[i];
          }
        } else {
          other.buffer().get(other.offset() + (otherRepeats ? 0 : base) + start, os, 0, len);
          for (int i = 0; i < len; i++) {
            gs[i] += sign * ds[i] * os[i];
          }
        }
        if (r == p.repeats - 1 || !gradRepeats) {
          grad.buffer().put(gi, gs, 0, len);
        }
      }
    }
  }

  /**
   * How two shapes broadcast: the output is {@code repeats} blocks of {@code inner} elements; the operand with the
   * smaller shape (flagged) supplies the same block each time.
   */
  static final class Broadcast {
    final int[] shape;
    final int repeats;
    final int inner;
    final boolean aRepeats;
    final boolean bRepeats;

    Broadcast(int[] shape, int repeats, int inner, boolean aRepeats, boolean bRepeats) {
      this.shape = shape;
      this.repeats = repeats;
      this.inner = inner;
      this.aRepeats = aRepeats;
      this.bRepeats = bRepeats;
    }

    static Broadcast of(String op, Tensor a, Tensor b) {
      int[] as = a.shape();
      int[] bs = b.shape();
      if (a.sameShape(b)) {
        return new Broadcast(as, 1, a.size(), false, false);
      }
      if (bs.length < as.length && Shape.isSuffix(bs, as)) {
        return new Broadcast(as, b.size() == 0 ? 0 : a.size() / b.size(), b.size(), false, true);
      }
      if (as.length < bs.length && Shape.isSuffix(as, bs)) {
        return new Broadcast(bs, a.size() == 0 ? 0 : b.size() / a.size(), a.size(), true, false);
      }
      throw Shape.mismatch(op, as, bs, "shapes must be equal or one a suffix of the other");
    }
  }
}
