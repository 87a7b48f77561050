/**
 * The training loop for language models and the pieces every trainer shares: the global batch of a step as a pure
 * function of (seed, step, window) over the whole token stream ({@link io.spindle.train.GlobalBatch}), the gradient
 * of one batch ({@link io.spindle.train.BatchGradient}), the driver-side step (divide, clip, AdamW, non-finite
 * policy), evaluation and metrics ({@link io.spindle.train.TrainingLoop}), the in-process trainer
 * ({@link io.spindle.train.LmTrainer}), step metrics and their JSON-lines log, and the scoring of whole texts
 * ({@link io.spindle.train.Perplexity}, the measure of {@code spindle score}).
 *
 * <p>May import {@code io.spindle.nn}, {@code io.spindle.optim}, {@code io.spindle.data} and below.
 */
package io.spindle.train;
