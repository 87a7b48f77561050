package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/** Embedding lookup: rows of a (V, C) table picked by integer ids, as for GPT-2's token and position embeddings. */
public final class Embedding {
  private Embedding() {}

  /**
   * {@code out[p, :] = weight[ids[p], :]}: weight (V, C), ids in row-major order with shape {@code idShape}, out
   * (idShape..., C); e.g. token ids of a (B, T) batch give (B, T, C). Every id must lie in [0, V).
   *
   * <p>Backward: {@code dweight[ids[p], :] += dout[p, :]} for every position p (a scatter-add), so an id that occurs
   * several times receives the sum of its rows' gradients. The ids are copied, so the caller may reuse the array
   * before backward runs.
   */
  public static Variable lookup(Graph g, Variable weight, int[] ids, int... idShape) {
    int[] ws = weight.shape();
    if (ws.length != 2) {
      throw new IllegalArgumentException("embedding: weight must be (V, C), got " + Shape.toString(ws));
    }
    for (int d : idShape) {
      if (d < 0) {
        throw new IllegalArgumentException("embedding: negative dimension in id shape " + Shape.toString(idShape));
      }
    }
    if (ids.length != Shape.size(idShape)) {
      throw new IllegalArgumentException("embedding: " + ids.length + " ids for id shape " + Shape.toString(idShape)
          + " of " + Shape.size(idShape) + " positions");
    }
    int vocab = ws[0];
    int c = ws[1];
    for (int p = 0; p < ids.length; p++) {
      if (ids[p] < 0 || ids[p] >= vocab) {
        throw new IllegalArgumentException("embedding: id " + ids[p] + " at position " + p
            + (idShape.length > 1 ? " " + Arrays.toString(position(p, idShape)) : "") + " of id shape "
            + Shape.toString(idShape) + " is outside [0, " + vocab + ") for weight (V, C) = " + Shape.toString(ws));
      }
    }
    int[] os = Arrays.copyOf(idShape, idShape.length + 1);
    os[idShape.length] = c;
    Tensor out = g.empty(os); // (idShape..., C)
    Tensor w = weight.value();
    FloatBuffer wb = w.buffer();
    FloatBuffer ob = out.buffer();
    for (int p = 0; p < ids.length; p++) {
      ob.put(out.offset() + p * c, wb, w.offset() + ids[p] * c, c);
    }
    if (!g.needsGrad(weight)) {
      return Variable.constant(out);
    }
    int[] saved = ids.clone();
    return g.record(out, dout -> {
      // out[p, :] = weight[ids[p], :]  =>  dweight[ids[p], :] += dout[p, :]
      Tensor dw = g.gradOf(weight);
      FloatBuffer db = dw.buffer();
      FloatBuffer gb = dout.buffer();
      for (int p = 0; p < saved.length; p++) {
        int row = dw.offset() + saved[p] * c;
        int src = dout.offset() + p * c;
        for (int i = 0; i < c; i++) {
          db.put(row + i, db.get(row + i) + gb.get(src + i));
        }
      }
    }, weight);
  }

  /** The multi-index of flat position {@code p} in {@code shape}, for error messages. */
  private static int[] position(int p, int[] shape) {
    int[] index = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      index[d] = p % shape[d];
      p /= shape[d];
    }
    return index;
  }
}
