package io.spindle.optim;

import io.spindle.tensor.Tensor;

/** Argument checks the optimizers share. */
final class Checks {
  private Checks() {}

  /** Throws naming {@code op} unless values and grads both hold {@code size} elements and the rate is usable. */
  static void stepArguments(String op, int size, Tensor values, Tensor grads, double learningRate) {
    if (values.size() != size || grads.size() != size) {
      throw new IllegalArgumentException(op + ": optimizer is for " + size + " parameters, got values " + values
          + " and gradients " + grads);
    }
    if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException(op + ": learning rate must be finite and >= 0, got " + learningRate);
    }
  }

  /** Throws naming {@code op} unless {@code value} is in [0, 1). */
  static void beta(String op, String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(op + ": " + name + " must be in [0, 1), got " + value);
    }
  }

  /** Throws naming {@code op} unless {@code value} is finite and >= 0. */
  static void nonNegative(String op, String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(op + ": " + name + " must be finite and >= 0, got " + value);
    }
  }

  /** Throws naming {@code schedule} if {@code step} is negative. */
  static void step(String schedule, long step) {
    if (step < 0) {
      throw new IllegalArgumentException(schedule + ".rate: step must be >= 0, got " + step);
    }
  }
}
