package io.spindle.data;

import java.util.Arrays;

/**
 * A (B, T) batch of next-token windows: {@code targets[b*T + t]} is the token after {@code inputs[b*T + t]} in the
 * stream, or {@link #IGNORE} where the window ran past the end of the stream (only in the last evaluation window,
 * see {@link TokenWindows#evaluationBatches}). Row-major, flat.
 *
 * <p>The arrays are not copied, for speed in the training loop: treat them as read-only. Equality compares contents.
 *
 * @param inputs input ids, length {@code batch * time}
 * @param targets target ids or {@link #IGNORE}, length {@code batch * time}
 */
public record Batch(int[] inputs, int[] targets, int batch, int time) {
  /** The target value the loss skips: a position with no next token (or, in padded batches, padding). */
  public static final int IGNORE = -1;

  public Batch {
    if (batch < 1 || time < 1) {
      throw new IllegalArgumentException("Batch: batch and time must be >= 1, got (" + batch + ", " + time + ")");
    }
    long n = (long) batch * time;
    if (inputs.length != n || targets.length != n) {
      throw new IllegalArgumentException("Batch: shape (" + batch + ", " + time + ") needs " + n
          + " inputs and targets, got " + inputs.length + " and " + targets.length);
    }
  }

  /** {@code inputs[b*T + t]}. */
  public int input(int b, int t) {
    return inputs[b * time + t];
  }

  /** {@code targets[b*T + t]}. */
  public int target(int b, int t) {
    return targets[b * time + t];
  }

  /** The number of targets that are not {@link #IGNORE}: the denominator of this batch's mean loss. */
  public int targetCount() {
    int n = 0;
    for (int target : targets) {
      n += target == IGNORE ? 0 : 1;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Batch other && batch == other.batch && time == other.time
        && Arrays.equals(inputs, other.inputs) && Arrays.equals(targets, other.targets);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * batch + time) + Arrays.hashCode(inputs)) + Arrays.hashCode(targets);
  }

  @Override
  public String toString() {
    return "Batch(B=" + batch + ", T=" + time + ", inputs=" + preview(inputs) + ", targets=" + preview(targets) + ")";
  }

  private static String preview(int[] a) {
    return a.length <= 16 ? Arrays.toString(a) : Arrays.toString(Arrays.copyOf(a, 16)).replace("]", ", ...]");
  }
}
