package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Cross-entropy of logits against integer targets, with softmax fused in: logits (..., V) are read as N rows
 * (N the product of the leading dimensions) with one target class per row; the result is a scalar of shape ().
 *
 * <p>Per row, with {@code lse = log sum_j exp(x_j)} and label smoothing {@code eps}, the target distribution is
 * {@code q = (1 - eps) onehot(t) + eps / V} (PyTorch's {@code label_smoothing}) and
 * <pre>
 *   loss_i = -sum_j q_j log softmax(x)_j = lse - (1 - eps) x_t - eps * mean_j(x_j)
 * </pre>
 * Rows whose target equals {@code ignoreIndex} contribute nothing, and nor do rows of weight 0 (they are skipped, so
 * even non-finite logits there give no NaN). The rows left are reduced as {@link Reduction} says; with
 * {@link Reduction#MEAN} and a zero total weight the loss is 0 and every gradient 0.
 *
 * <p>Fused for speed and memory: one pass over each row finds the maximum and the log-sum-exp together (the sum is
 * rescaled whenever the running maximum grows), and only the per-row lse (N floats) is kept for backward, not the
 * (N, V) probability matrix. {@link Softmax#logSoftmax} followed by picking the target is the unfused path the tests
 * check this against.
 */
public final class CrossEntropy {
  /** PyTorch's default {@code ignore_index}; nanoGPT passes -1 instead, which the full signature allows. */
  public static final int DEFAULT_IGNORE_INDEX = -100;

  private CrossEntropy() {}

  /**
   * The mean cross-entropy over all rows, no weights, no label smoothing; targets equal to
   * {@link #DEFAULT_IGNORE_INDEX} (-100, as in PyTorch) are ignored.
   */
  public static Variable crossEntropy(Graph g, Variable logits, int[] targets) {
    return crossEntropy(g, logits, targets, null, DEFAULT_IGNORE_INDEX, 0f, Reduction.MEAN);
  }

  /**
   * {@code log sum_j exp(x_j)} over the {@code v} logits at {@code xb[base..]}, in one pass (online log-sum-exp:
   * running max m and sum s of exp(x_j - m)). m starts finite so that a -infinity logit (a masked class) adds
   * exp(-inf) = 0 rather than exp(NaN).
   */
  static double logSumExp(FloatBuffer xb, int base, int v) {
    double m = -Double.MAX_VALUE;
    double s = 0;
    for (int j = 0; j < v; j++) {
      double x = xb.get(base + j);
      if (x > m) {
        s = s * Math.exp(m - x) + 1;
        m = x;
      } else {
        s += Math.exp(x - m);
      }
    }
    return m + Math.log(s);
  }

  /** {@code sum_j x_j} over the {@code v} logits at {@code xb[base..]}, in double: label smoothing's term. */
  private static double sum(FloatBuffer xb, int base, int v) {
    double xsum = 0;
    for (int j = 0; j < v; j++) {
      xsum += xb.get(base + j);
    }
    return xsum;
  }

  /**
   * The weighted, reduced cross-entropy of {@code logits} (..., V) against {@code targets} (N class indices in
   * [0, V), or {@code ignoreIndex}).
   *
   * @param weights per-row weights (length N, finite and >= 0), or {@code null} for all 1
   * @param ignoreIndex target value marking rows to leave out (any int; it need not lie outside [0, V))
   * @param labelSmoothing eps in [0, 1]: the share of each row's target mass spread evenly over all V classes
   * @throws IllegalArgumentException naming the op and the row and value at fault, for a target outside [0, V),
   *     lengths that do not match N, a bad weight or smoothing value, or 0-dimensional logits
   */
  public static Variable crossEntropy(Graph g, Variable logits, int[] targets, float[] weights, int ignoreIndex,
      float labelSmoothing, Reduction reduction) {
    Tensor xt = logits.value();
    int v = Softmax.lastDim("crossEntropy", xt);
    int rows = Shape.size(xt.shape(), 0, xt.rank() - 1); // N
    validate(xt, v, rows, targets, weights, ignoreIndex, labelSmoothing, reduction);
    boolean save = g.needsGrad(logits);
    Tensor lse = save ? g.empty(rows) : null; // (N)
    FloatBuffer xb = xt.buffer();
    int xo = xt.offset();
    double eps = labelSmoothing;
    double total = 0;
    double weightSum = 0;
    for (int r = 0; r < rows; r++) {
      float w = weights == null ? 1f : weights[r];
      if (targets[r] == ignoreIndex || w == 0f) {
        continue;
      }
      int base = xo + r * v;
      double rowLse = logSumExp(xb, base, v);
      double loss = rowLse - (1 - eps) * xb.get(base + targets[r]) - (eps == 0 ? 0 : eps * sum(xb, base, v) / v);
      total += w * loss;
      weightSum += w;
      if (save) {
        lse.set(r, (float) rowLse);
      }
    }
    double denominator = reduction == Reduction.SUM ? 1 : weightSum;
    Tensor out = g.empty(); // ()
    out.set(0, denominator == 0 ? 0f : (float) (total / denominator));
    if (!save || denominator == 0) {
      // forward: L = 0 when MEAN has no weight to divide by; dL/dx = 0, so there is nothing to accumulate. The
      // output stays on the tape (when logits need a gradient) so backward() from it is still legal.
      return g.record(out, dout -> { }, logits);
    }
    int[] t = targets.clone();
    float[] wts = weights == null ? null : weights.clone();
    return g.record(out, dout -> {
      // forward: L = sum_i w_i (lse_i - sum_j q_ij x_ij) / denominator;
      // dL/dx_ij = w_i (softmax(x_i)_j - q_ij) / denominator, softmax(x_i)_j = exp(x_ij - lse_i)
      Tensor dinp = g.gradOf(logits);
      double scale = dout.get(0) / denominator;
      double smooth = eps / v;
      for (int r = 0; r < rows; r++) {
        float w = wts == null ? 1f : wts[r];
        if (t[r] == ignoreIndex || w == 0f) {
          continue;
        }
        int base = r * v;
        double rowLse = lse.get(r);
        double k = w * scale;
        for (int j = 0; j < v; j++) {
          double p = Math.exp(xb.get(xo + base + j) - rowLse);
          double q = j == t[r] ? 1 - eps + smooth : smooth;
          dinp.set(base + j, (float) (dinp.get(base + j) + k * (p - q)));
        }
      }
    }, logits);
  }

  private static void validate(Tensor xt, int v, int rows, int[] targets, float[] weights, int ignoreIndex,
      float labelSmoothing, Reduction reduction) {
    if (reduction == null) {
      throw new IllegalArgumentException("crossEntropy: reduction must not be null");
    }
    if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
      throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
    }
    if (targets == null || targets.length != rows) {
      throw new IllegalArgumentException("crossEntropy: " + (targets == null ? "null targets" : "targets of length "
          + targets.length) + " for logits " + Shape.toString(xt.shape()) + ", which hold " + rows + " rows");
    }
    if (weights != null && weights.length != rows) {
      throw new IllegalArgumentException("crossEntropy: weights of length " + weights.length + " for logits "
          + Shape.toString(xt.shape()) + ", which hold " + rows + " rows");
    }
    for (int r = 0; r < rows; r++) {
      int t = targets[r];
      if (t != ignoreIndex && (t < 0 || t >= v)) {
        throw new IllegalArgumentException("crossEntropy: target " + t + " at row " + r + " is outside [0, " + v
            + ") and is not the ignoreIndex " + ignoreIndex);
      }
      if (weights != null && !(weights[r] >= 0f && weights[r] < Float.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("crossEntropy: weight " + weights[r] + " at row " + r
            + " must be finite and >= 0");
      }
    }
  }
}
