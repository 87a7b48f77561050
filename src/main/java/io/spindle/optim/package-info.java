/**
 * Optimizers, gradient clipping and learning-rate schedules over the flat parameter and gradient buffers of
 * {@link io.spindle.autograd.Parameters}; optimizer state lives in flat buffers of the same length.
 *
 * <p>{@link io.spindle.optim.Optimizer} (its javadoc gives the order of use: zero gradients, forward and backward,
 * clip, step) with {@link io.spindle.optim.AdamW} (PyTorch's AdamW; weight decay only where a
 * {@link io.spindle.optim.WeightDecayMask} says, by default nanoGPT's rule: rank &gt;= 2 decays) and
 * {@link io.spindle.optim.Sgd} (momentum, Nesterov); {@link io.spindle.optim.GradientClipping} (global L2 norm, as
 * {@code clip_grad_norm_}); {@link io.spindle.optim.LearningRateSchedule} with constant, nanoGPT warmup + cosine and
 * Noam schedules; {@link io.spindle.optim.OptimizerState}, a snapshot with a documented binary layout, from which
 * training resumes bit-identically. Hyperparameters are immutable records validated once.
 *
 * <p>May import {@code io.spindle.autograd} and {@code io.spindle.tensor}.
 */
package io.spindle.optim;
