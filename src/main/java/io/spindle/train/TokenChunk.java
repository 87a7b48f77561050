package io.spindle.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's slice of the global training token stream: it <em>owns</em> the window starts
 * {@code [offset, offset + owned)} and holds the tokens {@code [offset, offset + tokens.length)}, which run up to
 * T tokens past its owned range (the overlap with the next chunk), so every window it owns, T + 1 tokens long, lies
 * inside it and no window straddles two partitions. Chunks are built by {@code SparkTokenStream} (a trainer in this JVM holds the whole stream as one chunk); the stream's last
 * chunk has no overlap (no window starts in its last T tokens).
 *
 * @param index the chunk's (and its partition's) index, 0-based, in stream order
 * @param offset global position of {@code tokens[0]}
 * @param owned number of window starts this chunk owns
 * @param tokens the stream from {@code offset} on, at least {@code owned} long; not copied, treat as read-only
 */
public record TokenChunk(int index, long offset, int owned, int[] tokens) implements DataPart, Serializable {
  private static final long serialVersionUID = 1L;

  public TokenChunk {
    if (index < 0 || offset < 0 || owned < 0 || tokens.length < owned) {
      throw new IllegalArgumentException("TokenChunk: bad index " + index + ", offset " + offset + ", owned "
          + owned + " or token count " + tokens.length);
    }
  }

  /** Whether global position {@code start} is a window start this chunk owns. */
  public boolean owns(long start) {
    return start >= offset && start < offset + owned;
  }

  /** The indices j, ascending, of the windows {@code starts[j]} this chunk owns. */
  public int[] ownedWindows(long[] starts) {
    int[] mine = new int[starts.length];
    int n = 0;
    for (int j = 0; j < starts.length; j++) {
      if (owns(starts[j])) {
        mine[n++] = j;
      }
    }
    return Arrays.copyOf(mine, n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenChunk other && index == other.index && offset == other.offset && owned == other.owned
        && Arrays.equals(tokens, other.tokens);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * index + Long.hashCode(offset)) + Arrays.hashCode(tokens);
  }

  @Override
  public String toString() {
    return "TokenChunk(" + index + ", offset " + offset + ", owns " + owned + ", holds " + tokens.length + ")";
  }
}
