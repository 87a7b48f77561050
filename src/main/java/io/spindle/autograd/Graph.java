package io.spindle.autograd;

import io.spindle.tensor.Arena;
import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Records a forward pass so {@link #backward} can run it in reverse; also the allocator ops use for outputs.
 *
 * <p>Ops append their outputs to a tape in execution order, which is a topological order of the graph; backward
 * walks the tape from the end, so every node's gradient is complete before its rule runs.
 *
 * <p>Two modes. A {@link #training()} graph records, keeps what backward needs, and takes all tensors from an
 * {@link Arena} so a training loop allocates nothing after its first step. An {@link #inference()} graph is the
 * no-grad mode: it records nothing, keeps no activations, and allocates ordinary tensors the garbage collector
 * reclaims as soon as they are unreachable.
 *
 * <p>Order of use (training): build the forward with ops, call {@link #backward} once on the scalar loss, read
 * parameter gradients, then {@link #reset()} before the next forward. Not thread-safe; one graph per thread.
 */
public final class Graph {
  private final boolean recording;
  private final Arena arena;
  private final List<Variable> tape = new ArrayList<>();
  private final AttentionRecorder attentionRecorder; // inference only; null when not asked for

  private Graph(boolean recording, AttentionRecorder attentionRecorder) {
    this.recording = recording;
    this.arena = recording ? new Arena() : null;
    this.attentionRecorder = attentionRecorder;
  }

  /** A recording graph whose buffers are reused after each {@link #reset()}. */
  public static Graph training() {
    return new Graph(true, null);
  }

  /** The no-grad mode: nothing recorded, nothing kept. */
  public static Graph inference() {
    return new Graph(false, null);
  }

  /**
   * The no-grad mode, keeping the attention probabilities of every attention op run on this graph in
   * {@code recorder} (to look at them; see {@link AttentionRecorder}).
   */
  public static Graph inference(AttentionRecorder recorder) {
    if (recorder == null) {
      throw new IllegalArgumentException("inference: the attention recorder is null (use inference() for none)");
    }
    return new Graph(false, recorder);
  }

  public boolean isRecording() {
    return recording;
  }

  /** A zero-filled tensor for an op output or saved intermediate, valid until {@link #reset()}. */
  public Tensor zeros(int... shape) {
    return recording ? arena.zeros(shape) : Tensor.zeros(shape);
  }

  /** Like {@link #zeros} without the fill, for outputs the op overwrites entirely. */
  public Tensor empty(int... shape) {
    return recording ? arena.uninitialized(shape) : Tensor.zeros(shape);
  }

  /** Where attention ops hand their probabilities, or {@code null} (always for a training graph). */
  AttentionRecorder attentionRecorder() {
    return attentionRecorder;
  }

  /** Whether an op with these inputs must record a backward rule. */
  public boolean needsGrad(Variable... inputs) {
    if (!recording) {
      return false;
    }
    for (Variable v : inputs) {
      if (v.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Wraps an op's output. If any input requires a gradient (and the graph records), the output is put on the tape
   * with {@code backward}; otherwise it is a constant and {@code backward} is dropped.
   */
  Variable record(Tensor value, Variable.Backward backward, Variable... inputs) {
    if (!needsGrad(inputs)) {
      return Variable.constant(value);
    }
    Variable out = new Variable(value, true, false, null);
    out.backward = backward;
    tape.add(out);
    return out;
  }

  /**
   * The gradient buffer of {@code v} to accumulate into, allocating a zeroed one on first use: step-scoped for op
   * outputs, permanent for leaves without a preassigned buffer. Returns {@code null} if {@code v} needs no
   * gradient, so backward rules skip it.
   */
  Tensor gradOf(Variable v) {
    if (!v.requiresGrad()) {
      return null;
    }
    Tensor g = v.grad();
    if (g == null) {
      g = v.isLeaf() ? Tensor.zeros(v.value().shape()) : arena.zeros(v.value().shape());
      v.setGrad(g);
    }
    return g;
  }

  /**
   * Backpropagates from a one-element {@code loss} (seed gradient 1): every variable upstream that requires a
   * gradient gets {@code d loss / d variable} <em>added</em> to its gradient.
   */
  public void backward(Variable loss) {
    if (!recording) {
      throw new IllegalStateException("backward() on an inference graph: it recorded nothing");
    }
    if (loss.value().size() != 1) {
      throw new IllegalArgumentException("backward: loss must have one element, got shape " + loss.value());
    }
    if (!loss.requiresGrad()) {
      throw new IllegalArgumentException("backward: the loss does not depend on anything that requires a gradient");
    }
    Tensor seed = gradOf(loss);
    seed.set(0, seed.get(0) + 1f);
    for (int i = tape.size() - 1; i >= 0; i--) {
      Variable node = tape.get(i);
      if (node.grad() != null) {
        node.backward.apply(node.grad());
      }
    }
  }

  /**
   * Forgets the recorded graph and makes every step-scoped buffer reusable. Leaf gradients are untouched (they
   * accumulate until the caller zeroes them).
   */
  public void reset() {
    for (Variable v : tape) {
      v.setGrad(null);
      v.backward = null;
    }
    tape.clear();
    if (arena != null) {
      arena.reset();
    }
  }

  /** Number of op outputs recorded since the last reset. */
  public int size() {
    return tape.size();
  }
}
