package io.spindle.autograd;

import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the attention probabilities of a forward pass, to look at: attached to an inference graph
 * ({@link Graph#inference(AttentionRecorder)}), it receives the probabilities P (B, NH, T, S) of every
 * {@link Attention} op run on that graph, in the order they ran. In each, entry (b, h, i, j) is the weight query i of
 * batch row b gives key j in head h: over the keys the query may see, a row sums to 1 (up to float rounding); a key
 * hidden from it by the causal or the padding mask gets exactly 0, and so does every key of a query that sees none.
 *
 * <p>Only inference graphs carry a recorder, so the training path pays one null check per attention op for this.
 * With a recorder each op keeps its whole P instead of one (T, S) work matrix per thread.
 */
public final class AttentionRecorder {
  private final List<Tensor> probabilities = new ArrayList<>();

  void record(Tensor p) {
    probabilities.add(p);
  }

  /** The probabilities of each attention op in the order they ran, each (B, NH, T, S). */
  public List<Tensor> probabilities() {
    return List.copyOf(probabilities);
  }
}
