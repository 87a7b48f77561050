/**
 * The in-process training loop for language models, and the pieces a distributed trainer shares with it: the
 * gradient of one batch ({@link io.spindle.train.BatchGradient}), evaluation, step metrics and their JSON-lines log.
 *
 * <p>May import {@code io.spindle.nn}, {@code io.spindle.optim}, {@code io.spindle.data} and below.
 */
package io.spindle.train;
