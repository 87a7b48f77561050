package io.spindle.data;

import java.util.Arrays;
import java.util.List;

/**
 * Variable-length sequences as one (B, T) batch: each row cut to at most T ids, the rest filled with the pad id.
 *
 * <p>The arrays are not copied: treat them as read-only. Equality compares contents.
 *
 * @param ids the ids, row-major, {@code batch * time}; {@code ids[b*T + t]} is the pad id where
 *     {@code padding[b][t]}
 * @param lengths each row's length after truncation, {@code <= time}
 * @param padding {@code [B][T]}, {@code true} where the position is padding ({@code t >= lengths[b]}); attention
 *     masks out these keys, pooling skips them
 */
public record PaddedBatch(int[] ids, int[] lengths, boolean[][] padding, int batch, int time) {
  public PaddedBatch {
    if (batch < 1 || time < 1) {
      throw new IllegalArgumentException("PaddedBatch: batch and time must be >= 1, got (" + batch + ", " + time + ")");
    }
    if (ids.length != (long) batch * time || lengths.length != batch || padding.length != batch) {
      throw new IllegalArgumentException("PaddedBatch: shape (" + batch + ", " + time + ") does not match "
          + ids.length + " ids, " + lengths.length + " lengths, " + padding.length + " mask rows");
    }
  }

  /**
   * Pads to the longest sequence, capped at {@code maxLength} (longer ones are truncated), and at least 1. Throws
   * {@link IllegalArgumentException} for an empty list, a negative pad id or {@code maxLength < 1}.
   */
  public static PaddedBatch pad(List<int[]> sequences, int padId, int maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("PaddedBatch.pad: max length must be >= 1, got " + maxLength);
    }
    int longest = 0;
    for (int[] s : sequences) {
      longest = Math.max(longest, s.length);
    }
    return padTo(sequences, padId, Math.max(1, Math.min(longest, maxLength)));
  }

  /** Pads or truncates every sequence to exactly {@code length}. */
  public static PaddedBatch padTo(List<int[]> sequences, int padId, int length) {
    return padTo(sequences, padId, length, "PaddedBatch.padTo");
  }

  static PaddedBatch padTo(List<int[]> sequences, int padId, int length, String op) {
    if (sequences.isEmpty()) {
      throw new IllegalArgumentException(op + ": no sequences to batch");
    }
    if (padId < 0) {
      throw new IllegalArgumentException(op + ": pad id must be >= 0, got " + padId);
    }
    if (length < 1) {
      throw new IllegalArgumentException(op + ": length must be >= 1, got " + length);
    }
    int batch = sequences.size();
    int[] ids = new int[batch * length]; // (B, T)
    int[] lengths = new int[batch]; // (B)
    boolean[][] padding = new boolean[batch][length]; // (B, T)
    for (int b = 0; b < batch; b++) {
      int[] s = sequences.get(b);
      int n = Math.min(s.length, length);
      System.arraycopy(s, 0, ids, b * length, n);
      Arrays.fill(ids, b * length + n, (b + 1) * length, padId);
      Arrays.fill(padding[b], n, length, true);
      lengths[b] = n;
    }
    return new PaddedBatch(ids, lengths, padding, batch, length);
  }

  /** {@code ids[b*T + t]}. */
  public int id(int b, int t) {
    return ids[b * time + t];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PaddedBatch other && batch == other.batch && time == other.time
        && Arrays.equals(ids, other.ids) && Arrays.equals(lengths, other.lengths)
        && Arrays.deepEquals(padding, other.padding);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(lengths)) + Arrays.deepHashCode(padding);
  }

  @Override
  public String toString() {
    return "PaddedBatch(B=" + batch + ", T=" + time + ", lengths=" + Arrays.toString(lengths) + ")";
  }
}
