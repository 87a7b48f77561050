package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Elementwise add, subtract, multiply (with broadcasting over leading dimensions) and scaling by a constant.
 *
 * <p>Broadcasting: the two shapes must be equal, or one must equal the trailing dimensions of the other, e.g. a bias
 * (C) added to (B, T, C), or position embeddings (T, C) added to (B, T, C). The output has the larger shape; the
 * smaller operand's gradient sums over the dimensions it was repeated along.
 */
public final class Elementwise {
  private Elementwise() {}

  /** {@code a + b}. */
  public static Variable add(Graph g, Variable a, Variable b) {
    Broadcast p = Broadcast.of("add", a.value(), b.value());
    Tensor out = g.empty(p.shape);
    FloatBuffer ab = a.value().buffer();
    FloatBuffer bb = b.value().buffer();
    FloatBuffer ob = out.buffer();
    int ao = a.value().offset();
    int bo = b.value().offset();
    int oo = out.offset();
    for (int r = 0; r < p.repeats; r++) {
      int base = r * p.inner;
      int ai = ao + (p.aRepeats ? 0 : base);
      int bi = bo + (p.bRepeats ? 0 : base);
      for (int i = 0; i < p.inner; i++) {
        ob.put(oo + base + i, ab.get(ai + i) + bb.get(bi + i));
      }
    }
    return g.record(out, dout -> {
      // d(a + b)/da = 1, d(a + b)/db = 1, summed over broadcast repeats
      accumulate(g.gradOf(a), dout, 1f, p);
      accumulate(g.gradOf(b), dout, 1f, p);
    }, a, b);
  }

  /** {@code a - b}. */
  public static Variable sub(Graph g, Variable a, Variable b) {
    Broadcast p = Broadcast.of("sub", a.value(), b.value());
    Tensor out = g.empty(p.shape);
    FloatBuffer ab = a.value().buffer();
    FloatBuffer bb = b.value().buffer();
    FloatBuffer ob = out.buffer();
    int ao = a.value().offset();
    int bo = b.value().offset();
    int oo = out.offset();
    for (int r = 0; r < p.repeats; r++) {
      int base = r * p.inner;
      int ai = ao + (p.aRepeats ? 0 : base);
      int bi = bo + (p.bRepeats ? 0 : base);
      for (int i = 0; i < p.inner; i++) {
        ob.put(oo + base + i, ab.get(ai + i) - bb.get(bi + i));
      }
    }
    return g.record(out, dout -> {
      // d(a - b)/da = 1, d(a - b)/db = -1
      accumulate(g.gradOf(a), dout, 1f, p);
      accumulate(g.gradOf(b), dout, -1f, p);
    }, a, b);
  }

  /** {@code a * b} elementwise. */
  public static Variable mul(Graph g, Variable a, Variable b) {
    Broadcast p = Broadcast.of("mul", a.value(), b.value());
    Tensor out = g.empty(p.shape);
    FloatBuffer ab = a.value().buffer();
    FloatBuffer bb = b.value().buffer();
    FloatBuffer ob = out.buffer();
    int ao = a.value().offset();
    int bo = b.value().offset();
    int oo = out.offset();
    for (int r = 0; r < p.repeats; r++) {
      int base = r * p.inner;
      int ai = ao + (p.aRepeats ? 0 : base);
      int bi = bo + (p.bRepeats ? 0 : base);
      for (int i = 0; i < p.inner; i++) {
        ob.put(oo + base + i, ab.get(ai + i) * bb.get(bi + i));
      }
    }
    return g.record(out, dout -> {
      // d(a * b)/da = b, d(a * b)/db = a
      accumulateProduct(g.gradOf(a), p.aRepeats, dout, b.value(), p.bRepeats, p);
      accumulateProduct(g.gradOf(b), p.bRepeats, dout, a.value(), p.aRepeats, p);
    }, a, b);
  }

  /** {@code s * a} for a constant {@code s}. */
  public static Variable scale(Graph g, Variable a, float s) {
    Tensor x = a.value();
    Tensor out = g.empty(x.shape());
    FloatBuffer xb = x.buffer();
    FloatBuffer ob = out.buffer();
    int xo = x.offset();
    int oo = out.offset();
    for (int i = 0; i < x.size(); i++) {
      ob.put(oo + i, s * xb.get(xo + i));
    }
    return g.record(out, dout -> {
      // d(s * a)/da = s
      Tensor da = g.gradOf(a);
      FloatBuffer db = da.buffer();
      FloatBuffer gb = dout.buffer();
      int dao = da.offset();
      int go = dout.offset();
      for (int i = 0; i < da.size(); i++) {
        db.put(dao + i, db.get(dao + i) + s * gb.get(go + i));
      }
    }, a);
  }

  /** {@code grad[i mod n] += sign * dout[i]}: the gradient of one side of a sum, reduced over its repeats. */
  private static void accumulate(Tensor grad, Tensor dout, float sign, Broadcast p) {
    if (grad == null) {
      return;
    }
    FloatBuffer gb = grad.buffer();
    FloatBuffer db = dout.buffer();
    int go = grad.offset();
    int dof = dout.offset();
    boolean repeats = grad.size() != dout.size();
    for (int r = 0; r < p.repeats; r++) {
      int base = r * p.inner;
      int gi = go + (repeats ? 0 : base);
      for (int i = 0; i < p.inner; i++) {
        gb.put(gi + i, gb.get(gi + i) + sign * db.get(dof + base + i));
      }
    }
  }

  /** {@code grad[i mod n] += dout[i] * other[i mod m]}: one side of a product's gradient. */
  private static void accumulateProduct(Tensor grad, boolean gradRepeats, Tensor dout, Tensor other,
      boolean otherRepeats, Broadcast p) {
    if (grad == null) {
      return;
    }
    FloatBuffer gb = grad.buffer();
    FloatBuffer db = dout.buffer();
    FloatBuffer ob = other.buffer();
    int go = grad.offset();
    int dof = dout.offset();
    int oo = other.offset();
    for (int r = 0; r < p.repeats; r++) {
      int base = r * p.inner;
      int gi = go + (gradRepeats ? 0 : base);
      int oi = oo + (otherRepeats ? 0 : base);
      for (int i = 0; i < p.inner; i++) {
        gb.put(gi + i, gb.get(gi + i) + db.get(dof + base + i) * ob.get(oi + i));
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

    private Broadcast(int[] shape, int repeats, int inner, boolean aRepeats, boolean bRepeats) {
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
