/**
 * Data-parallel training on Spark: broadcast weights, per-partition forward/backward, gradients combined with
 * {@code treeAggregate}, the optimizer step on the driver, checkpoints on Hadoop file systems.
 *
 * <p>May import {@code io.spindle.nn}, {@code io.spindle.optim}, {@code io.spindle.data} and below; knows nothing of
 * MLlib types.
 */
package io.spindle.spark;
