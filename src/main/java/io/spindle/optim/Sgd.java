package io.spindle.optim;

import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Stochastic gradient descent with optional momentum and Nesterov momentum, as PyTorch's {@code torch.optim.SGD}
 * computes it (no dampening, no weight decay). For each element with parameter p, gradient g and momentum buffer b:
 * <pre>
 *   b = g                       on the first step (PyTorch clones the gradient)
 *   b = momentum * b + g        afterwards
 *   d = g + momentum * b        with Nesterov, else d = b   (d = g when momentum is 0)
 *   p = p + (-lr) * d
 * </pre>
 * The arithmetic is float32 in that order, with {@code -lr} rounded to float once per step; it matches PyTorch's
 * scalar CPU loop to the bit ({@code PyTorchReferenceTest}); PyTorch's vectorized lanes may fuse the multiply-adds,
 * which can move the last bit. This is PyTorch's form, in which the learning rate multiplies the whole buffer
 * (Sutskever et al. put it inside the buffer); the two agree while the rate is constant.
 *
 * <p>State: the momentum buffer (P,) plus the step count; none when momentum is 0.
 */
public final class Sgd implements Optimizer {
  /** The kind this optimizer writes into, and accepts from, an {@link OptimizerState}. */
  public static final String KIND = "sgd";

  /** Hyperparameters, validated once: {@code 0 <= momentum < 1}; Nesterov needs a momentum above 0. */
  public record Config(double momentum, boolean nesterov) {
    public Config {
      Checks.beta("Sgd.Config", "momentum", momentum);
      if (nesterov && momentum == 0) {
        throw new IllegalArgumentException("Sgd.Config: Nesterov momentum requires momentum > 0, got " + momentum);
      }
    }

    /** Plain gradient descent, {@code p -= lr * g}. */
    public static Config plain() {
      return new Config(0, false);
    }
  }

  private final Config config;
  private final int size;
  private final float[] buffer; // (P,) momentum buffer; empty without momentum
  private long step;

  /** SGD over a flat buffer of {@code size} parameters. */
  public Sgd(Config config, int size) {
    if (config == null || size < 0) {
      throw new IllegalArgumentException("Sgd: config is required and size must be >= 0, got " + config + ", "
          + size);
    }
    this.config = config;
    this.size = size;
    this.buffer = new float[config.momentum() == 0 ? 0 : size];
  }

  public Config config() {
    return config;
  }

  @Override
  public void step(Tensor values, Tensor grads, double learningRate) {
    Checks.stepArguments("Sgd.step", size, values, grads, learningRate);
    boolean first = step == 0;
    step++;
    float negLr = (float) -learningRate;
    float momentum = (float) config.momentum();
    boolean hasMomentum = buffer.length > 0;
    boolean nesterov = config.nesterov();
    FloatBuffer pb = values.buffer();
    FloatBuffer gb = grads.buffer();
    int po = values.offset();
    int go = grads.offset();
    for (int i = 0; i < size; i++) {
      float g = gb.get(go + i);
      float d = g;
      if (hasMomentum) {
        float b = first ? g : buffer[i] * momentum + g;
        buffer[i] = b;
        d = nesterov ? g + momentum * b : b;
      }
      pb.put(po + i, pb.get(po + i) + negLr * d);
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public long stepCount() {
    return step;
  }

  /** Buffers: the momentum buffer, or none when momentum is 0. */
  @Override
  public OptimizerState state() {
    return buffer.length > 0 ? OptimizerState.owning(KIND, step, size, buffer.clone())
        : OptimizerState.owning(KIND, step, size);
  }

  @Override
  public void restore(OptimizerState state) {
    int buffers = buffer.length > 0 ? 1 : 0;
    state.requireMatches("Sgd.restore", KIND, buffers, size);
    if (buffers == 1) {
      state.copyBufferInto(0, buffer);
    }
    step = state.step();
  }

  @Override
  public String toString() {
    return "Sgd(" + config + ", " + size + " parameters, step " + step + ")";
  }
}
