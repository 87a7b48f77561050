package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * The log-probability a softmax over logits gives each row's target: logits (..., V) are read as N rows, and row r
 * of the result (N) is
 * <pre>
 *   logp_r = log softmax(x_r)_{t_r} = x_{r,t_r} - lse_r,   lse_r = log sum_j exp(x_{r,j}),
 * </pre>
 * or 0 for a row whose target is the ignore index (it has no gradient either). Unlike {@link CrossEntropy}, which
 * reduces the rows with non-negative weights to a scalar, this keeps one value per row, so a caller can weight each
 * token's log-likelihood by any number, negative ones included (a policy gradient's advantage), or compare it with
 * another model's.
 *
 * <p>Fused: one pass over each row finds the maximum and the log-sum-exp together, and only the per-row lse is kept
 * for backward, not the (N, V) probabilities. {@link Softmax#logSoftmax} followed by picking the target is the
 * unfused path the tests check it against.
 */
public final class TokenLogProbs {
  private TokenLogProbs() {}

  /**
   * The log-probability of each row's target in {@code logits} (..., V); see the class comment.
   *
   * @param targets N class indices in [0, V), or {@code ignoreIndex}
   * @throws IllegalArgumentException naming the row, for a target outside [0, V) that is not the ignore index, or
   *     targets whose length is not N
   */
  public static Variable tokenLogProbs(Graph g, Variable logits, int[] targets, int ignoreIndex) {
    Tensor xt = logits.value();
    int v = Softmax.lastDim("tokenLogProbs", xt);
    int rows = Shape.size(xt.shape(), 0, xt.rank() - 1); // N
    if (targets == null || targets.length != rows) {
      throw new IllegalArgumentException("tokenLogProbs: " + (targets == null ? "null targets" : "targets of length "
          + targets.length) + " for logits " + Shape.toString(xt.shape()) + ", which hold " + rows + " rows");
    }
    for (int r = 0; r < rows; r++) {
      if (targets[r] != ignoreIndex && (targets[r] < 0 || targets[r] >= v)) {
        throw new IllegalArgumentException("tokenLogProbs: target " + targets[r] + " at row " + r + " is outside [0, "
            + v + ") and is not the ignoreIndex " + ignoreIndex);
      }
    }
    boolean save = g.needsGrad(logits);
    Tensor lse = save ? g.empty(rows) : null; // (N)
    Tensor out = g.zeros(rows); // (N)
    FloatBuffer xb = xt.buffer();
    int xo = xt.offset();
    for (int r = 0; r < rows; r++) {
      if (targets[r] == ignoreIndex) {
        continue;
      }
      int base = xo + r * v;
      double rowLse = CrossEntropy.logSumExp(xb, base, v);
      out.set(r, (float) (xb.get(base + targets[r]) - rowLse));
      if (save) {
        lse.set(r, (float) rowLse);
      }
    }
    if (!save) {
      return Variable.constant(out);
    }
    int[] t = targets.clone();
    return g.record(out, dout -> {
      // forward: logp_r = x_{r,t_r} - lse_r;  d logp_r / d x_{r,j} = 1[j = t_r] - softmax(x_r)_j,
      // softmax(x_r)_j = exp(x_{r,j} - lse_r)
      Tensor dinp = g.gradOf(logits);
      for (int r = 0; r < rows; r++) {
        float d = dout.get(r);
        if (t[r] == ignoreIndex || d == 0f) {
          continue;
        }
        int base = r * v;
        double rowLse = lse.get(r);
        for (int j = 0; j < v; j++) {
          double p = Math.exp(xb.get(xo + base + j) - rowLse);
          double q = j == t[r] ? 1 : 0;
          dinp.set(base + j, (float) (dinp.get(base + j) + d * (q - p)));
        }
      }
    }, logits);
  }
}
