package io.spindle.spark;

import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * A task's summed gradient left in its workspace's gradient buffer (off the heap under native BLAS) and lent to the
 * task's {@link GradientSum} until Spark serializes the task result, instead of a {@code float[]} copy of it.
 *
 * <p>Why: in a task, Spark holds the result object, its serialized bytes and the serialized task result at once, and
 * {@code local[n]} runs n tasks in the driver's JVM; at 85M parameters each copy is 340 MB of heap, and the copy into
 * a {@code float[]} was one of them (docs/benchmarks.md, "100M parameters").
 *
 * <p>Lifecycle: the task borrows a workspace, computes into its gradient buffer, and lends the buffer here with the
 * workspace's return as {@code giveBack}. Exactly one of two things then ends the loan, after which this object holds
 * nothing: {@link GradientSum}'s writer streams the elements from the buffer and calls {@link #giveBack()}, or
 * something needs the gradient as an array (a merge of two parts in one JVM) and {@link #take()} copies it out. Until
 * then the workspace is out of the pool, so no other task can overwrite the buffer; a task that fails before its
 * result is written drops the workspace (the pool builds another), as before.
 */
final class LentGradient {
  private FloatBuffer buffer;
  private final int offset;
  private final int length;
  private Runnable giveBack;

  LentGradient(Tensor gradient, Runnable giveBack) {
    this.buffer = gradient.buffer();
    this.offset = gradient.offset();
    this.length = gradient.size();
    this.giveBack = giveBack;
  }

  int length() {
    return length;
  }

  /** The buffer holding the elements at {@link #offset()}; absolute reads only, until {@link #giveBack()}. */
  FloatBuffer buffer() {
    if (buffer == null) {
      throw new IllegalStateException("LentGradient: the gradient was already given back to its workspace");
    }
    return buffer;
  }

  int offset() {
    return offset;
  }

  /** Copies the elements into a new array and ends the loan. */
  float[] take() {
    float[] a = new float[length];
    buffer().get(offset, a, 0, length);
    giveBack();
    return a;
  }

  /** Ends the loan: the workspace goes back to its pool, and this object no longer reads its buffer. */
  void giveBack() {
    buffer();
    buffer = null;
    Runnable r = giveBack;
    giveBack = null;
    r.run();
  }
}
