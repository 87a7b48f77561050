package io.spindle.optim;

import io.spindle.tensor.Scratch;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Clipping by global L2 norm, as PyTorch's {@code torch.nn.utils.clip_grad_norm_}: all gradients are treated as one
 * vector (here literally one flat buffer), and if its norm is too large the whole vector is scaled down, keeping its
 * direction. Deviation: the norm and the coefficient are computed in double (PyTorch: float32) and the
 * coefficient is rounded to float once before scaling.
 */
public final class GradientClipping {
  /** Added to the norm before dividing, as in PyTorch, so a zero or tiny norm never divides by zero. */
  public static final double EPSILON = 1e-6;

  private GradientClipping() {}

  /** The L2 norm {@code sqrt(sum_i g_i^2)} of all elements, accumulated in double. */
  public static double globalNorm(Tensor grads) {
    return globalNorm(grads, 1f);
  }

  /**
   * The L2 norm of {@code grads} scaled by {@code scale}, without changing them: {@code sqrt(sum_i x_i^2)} with
   * {@code x_i = grads[i] * scale} rounded to float, so it is to the bit the {@link #globalNorm(Tensor)} of the buffer
   * after {@code grads.scaleInPlace(scale)} (same products, same order of the double sums).
   */
  public static double globalNorm(Tensor grads, float scale) {
    FloatBuffer gb = grads.buffer();
    int go = grads.offset();
    float[] gs = Scratch.floats(0, Scratch.BLOCK);
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    for (int start = 0; start < grads.size(); start += Scratch.BLOCK) {
      int len = Math.min(Scratch.BLOCK, grads.size() - start);
      gb.get(go + start, gs, 0, len);
      int i = 0;
      for (; i + 3 < len; i += 4) { // four partial sums, so the additions pipeline
        double x0 = gs[i] * scale;
        double x1 = gs[i + 1] * scale;
        double x2 = gs[i + 2] * scale;
        double x3 = gs[i + 3] * scale;
        s0 += x0 * x0;
        s1 += x1 * x1;
        s2 += x2 * x2;
        s3 += x3 * x3;
      }
      for (; i < len; i++) {
        double x = gs[i] * scale;
        s0 += x * x;
      }
    }
    return Math.sqrt((s0 + s1) + (s2 + s3));
  }

  /**
   * The factor clipping scales the gradients by: {@code min(1, maxNorm / (norm + 1e-6))} rounded to float, exactly 1
   * when no clipping is due. {@code norm} must be finite.
   */
  public static float coefficient(double norm, double maxNorm) {
    double coefficient = maxNorm / (norm + EPSILON);
    return coefficient < 1 ? (float) coefficient : 1f;
  }

  /**
   * Scales {@code grads} in place by {@code coefficient = min(1, maxNorm / (norm + 1e-6))} when that is below 1
   * (PyTorch's clamped formula; so clipping starts when the norm exceeds {@code maxNorm - 1e-6}), and returns the
   * norm measured <em>before</em> clipping, for logging.
   *
   * <p>A non-finite norm (some gradient is NaN or infinite; finite floats cannot overflow the double sum) is
   * returned as is and the gradients are left untouched: scaling by a NaN coefficient would silently turn every
   * gradient, and then every weight, into NaN. The caller decides, typically by skipping that step.
   *
   * @param maxNorm the largest norm allowed through, finite and &gt; 0
   */
  public static double clipGlobalNorm(Tensor grads, double maxNorm) {
    if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
      throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be finite and > 0, got " + maxNorm);
    }
    double norm = globalNorm(grads);
    if (!Double.isFinite(norm)) {
      return norm;
    }
    float c = coefficient(norm, maxNorm);
    if (c != 1f) {
      FloatBuffer gb = grads.buffer();
      int go = grads.offset();
      float[] gs = Scratch.floats(0, Scratch.BLOCK);
      for (int start = 0; start < grads.size(); start += Scratch.BLOCK) {
        int len = Math.min(Scratch.BLOCK, grads.size() - start);
        gb.get(go + start, gs, 0, len);
        for (int i = 0; i < len; i++) {
          gs[i] *= c;
        }
        gb.put(go + start, gs, 0, len);
      }
    }
    return norm;
  }
}
