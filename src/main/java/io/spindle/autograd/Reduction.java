package io.spindle.autograd;

/**
 * How a per-row loss is reduced to the scalar a graph backpropagates from, as in PyTorch's {@code reduction=}.
 *
 * <p>With per-row weights {@code w_i} (all 1 when none are given) and the rows that are not ignored:
 * <ul>
 *   <li>{@link #SUM}: {@code sum_i w_i * loss_i}. Data-parallel training wants this: each task returns its loss sum
 *       and its token count (the sum of its weights), and the driver divides the combined sum by the combined count,
 *       which weights every token equally whatever the shard sizes.</li>
 *   <li>{@link #MEAN}: {@code sum_i w_i * loss_i / sum_i w_i}. When the denominator is 0 (every row ignored or
 *       weighted 0) the loss is defined as 0 with zero gradients, not NaN as in PyTorch, so an empty shard is
 *       harmless.</li>
 * </ul>
 */
public enum Reduction {
  SUM,
  MEAN
}
