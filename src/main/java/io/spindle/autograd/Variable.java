package io.spindle.autograd;

import io.spindle.tensor.Tensor;

/**
 * A node of the computational graph: a tensor value, its gradient, and (for op outputs) the rule that sends the
 * gradient back to the op's inputs.
 *
 * <p>Three kinds: <b>constants</b> (no gradient: inputs, masks, anything made in inference mode), <b>leaves</b>
 * (parameters: their gradient lives as long as they do and <em>accumulates</em> over backward passes until the
 * caller zeroes it), and <b>op outputs</b> recorded on a {@link Graph} (their gradient is step-scoped scratch).
 */
public final class Variable {
  private final Tensor value;
  private final boolean requiresGrad;
  private final boolean leaf;
  private Tensor grad;
  Backward backward; // set by Graph.record for op outputs

  Variable(Tensor value, boolean requiresGrad, boolean leaf, Tensor grad) {
    this.value = value;
    this.requiresGrad = requiresGrad;
    this.leaf = leaf;
    this.grad = grad;
  }

  /** A value that needs no gradient. */
  public static Variable constant(Tensor value) {
    return new Variable(value, false, false, null);
  }

  /**
   * A trainable leaf whose gradient accumulates into {@code grad} (same shape as {@code value}), typically a view
   * of a flat gradient buffer; see {@link Parameters}.
   */
  public static Variable leaf(Tensor value, Tensor grad) {
    if (!value.sameShape(grad)) {
      throw new IllegalArgumentException("leaf: value " + value + " and gradient " + grad + " differ in shape");
    }
    return new Variable(value, true, true, grad);
  }

  /** A trainable leaf whose gradient buffer is allocated (zeroed) on first backward. */
  public static Variable leaf(Tensor value) {
    return new Variable(value, true, true, null);
  }

  public Tensor value() {
    return value;
  }

  /** The accumulated gradient, or {@code null} if none has reached this variable. */
  public Tensor grad() {
    return grad;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  public boolean isLeaf() {
    return leaf;
  }

  /** Shorthand for {@code value().shape()}. */
  public int[] shape() {
    return value.shape();
  }

  void setGrad(Tensor grad) {
    this.grad = grad;
  }

  /** Backward rule of one op output. */
  @FunctionalInterface
  interface Backward {
    /**
     * Adds this op's contribution to each input's gradient, given the gradient {@code dout} of the loss with
     * respect to the op's output. Must accumulate ({@code +=}), never overwrite.
     */
    void apply(Tensor dout);
  }
}
