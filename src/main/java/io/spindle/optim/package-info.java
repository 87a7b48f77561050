/**
 * Optimizers, gradient clipping and learning-rate schedules over the flat parameter and gradient buffers of
 * {@link io.spindle.autograd.Parameters}; optimizer state lives in flat buffers of the same length.
 *
 * <p>May import {@code io.spindle.autograd} and {@code io.spindle.tensor}.
 */
package io.spindle.optim;
