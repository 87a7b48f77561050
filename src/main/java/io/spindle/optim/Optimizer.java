package io.spindle.optim;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;

/**
 * Updates the flat parameter buffer (P,) from the flat gradient buffer (P,) of a {@link Parameters}, keeping its own
 * state (moments, momentum) in flat buffers of the same length P.
 *
 * <p>Order of use, once per training step:
 * <ol>
 *   <li>{@code parameters.zeroGrad()}: gradients accumulate, so clear them first;
 *   <li>forward on a training {@code Graph}, then {@code graph.backward(loss)} (on Spark: sum the gradient
 *       buffers of all tasks here);
 *   <li>{@code double norm = GradientClipping.clipGlobalNorm(parameters.grads(), maxNorm)}; if the norm is not
 *       finite, skip the next item (the gradients hold a NaN or an infinity and would poison the weights and the
 *       optimizer state);
 *   <li>{@code optimizer.step(parameters, schedule.rate(optimizer.stepCount()))};
 *   <li>{@code graph.reset()}.
 * </ol>
 *
 * <p>To checkpoint, save {@link #state()} next to the parameter values; to resume, build an optimizer with the same
 * configuration and size and {@link #restore} it: training then continues to the bit as if it had never stopped.
 * Hyperparameters are not part of the state; they come from the configuration. Not thread-safe.
 */
public interface Optimizer {
  /**
   * One update of {@code values} in place from {@code grads} (both flat, of this optimizer's size; any shape of
   * that size is read as flat) at learning rate {@code learningRate} (finite, non-negative). Gradients are read,
   * never changed.
   */
  void step(Tensor values, Tensor grads, double learningRate);

  /** {@link #step(Tensor, Tensor, double)} on the flat value and gradient buffers of {@code parameters}. */
  default void step(Parameters parameters, double learningRate) {
    step(parameters.values(), parameters.grads(), learningRate);
  }

  /** Number of parameters P this optimizer updates. */
  int size();

  /** Number of steps taken so far (0 before the first); the index of the next step for a schedule. */
  long stepCount();

  /** A copy of the state (step count and buffers), unaffected by later steps. */
  OptimizerState state();

  /**
   * Replaces the state with a copy of {@code state}; throws {@link IllegalArgumentException} naming both if it is
   * of another kind, buffer count or length.
   */
  void restore(OptimizerState state);
}
