package io.spindle.spark;

import java.io.Serializable;

/**
 * How the global token stream of n tokens is cut into P chunks: chunk p owns the window starts
 * {@code [p*L, min((p+1)*L, n))} with {@code L = ceil(n / P)}, and holds the tokens
 * {@code [p*L, min((p+1)*L + T, n))}: its own range plus T tokens of overlap, enough for the last window it owns.
 * The layout depends on n, P and T only, not on how the input was partitioned.
 *
 * @param length n, tokens in the stream
 * @param chunks P, the number of chunks (one per partition, one task per training step each)
 * @param blockSize T, the window length
 */
record StreamLayout(long length, int chunks, int blockSize) implements Serializable {
  private static final long serialVersionUID = 1L;

  StreamLayout {
    if (length < 1 || chunks < 1 || blockSize < 1) {
      throw new IllegalArgumentException("StreamLayout: length, chunks and block size must be >= 1, got " + length
          + ", " + chunks + ", " + blockSize);
    }
    if ((length + chunks - 1) / chunks > Integer.MAX_VALUE - blockSize) {
      throw new IllegalArgumentException("StreamLayout: " + length + " tokens in " + chunks
          + " chunks exceeds 2^31 tokens per chunk; use more partitions");
    }
  }

  /** L, the owned length of every chunk but possibly the last ones. */
  long chunkLength() {
    return (length + chunks - 1) / chunks;
  }

  long start(int chunk) {
    return Math.min(length, chunk * chunkLength());
  }

  /** End of the owned range of {@code chunk}. */
  long ownedEnd(int chunk) {
    return Math.min(length, (chunk + 1) * chunkLength());
  }

  /** End of the tokens {@code chunk} holds: its owned range plus the overlap. */
  long heldEnd(int chunk) {
    return Math.min(length, ownedEnd(chunk) + blockSize);
  }

  /** The first chunk whose held range may contain global position {@code position}. */
  int firstChunkHolding(long position) {
    return (int) Math.max(0, (position - blockSize) / chunkLength() - 1);
  }

  /** The chunk whose owned range contains {@code position} (the last chunk for positions past the end). */
  int owner(long position) {
    return (int) Math.min(chunks - 1, position / chunkLength());
  }
}
