package io.spindle.optim;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A snapshot of an optimizer: its kind ({@code "adamw"}, {@code "sgd"}), the number of steps taken, the parameter
 * count P, and its flat state buffers, each of length P (AdamW: first moment m, then second moment v; SGD with
 * momentum: the momentum buffer). Immutable: buffers are copied in and out.
 *
 * <p>Binary layout of {@link #write} / {@link #read}, all integers and floats little-endian:
 * <pre>
 *   bytes 0-3   magic "SPOS" (Spindle Optimizer State), ASCII
 *   int32       format version, 1
 *   int32       k, length of the kind in bytes (at most 255)
 *   k bytes     kind, UTF-8
 *   int64       step count
 *   int32       P, parameter count
 *   int32       B, buffer count (at most 16)
 *   B x P       float32 values, buffer after buffer
 * </pre>
 */
public final class OptimizerState {
  /** The four bytes every state file starts with. */
  public static final String MAGIC = "SPOS";
  /** The layout version {@link #write} produces and {@link #read} accepts. */
  public static final int VERSION = 1;

  private static final int MAX_KIND_BYTES = 255;
  private static final int MAX_BUFFERS = 16;
  private static final int CHUNK_FLOATS = 1 << 14;

  private final String kind;
  private final long step;
  private final int length;
  private final float[][] buffers;

  /**
   * A state of {@code kind} after {@code step} steps for {@code length} parameters, holding copies of
   * {@code buffers} (each of length {@code length}).
   */
  public static OptimizerState of(String kind, long step, int length, float[]... buffers) {
    return new OptimizerState(kind, step, length, deepCopy(buffers));
  }

  /** A state that takes ownership of {@code buffers} (no copy); for optimizers that just made them. */
  static OptimizerState owning(String kind, long step, int length, float[]... buffers) {
    return new OptimizerState(kind, step, length, buffers);
  }

  private OptimizerState(String kind, long step, int length, float[][] owned) {
    if (kind == null || kind.isEmpty() || kind.getBytes(StandardCharsets.UTF_8).length > MAX_KIND_BYTES) {
      throw new IllegalArgumentException("OptimizerState: kind must be 1 to " + MAX_KIND_BYTES + " bytes, got "
          + kind);
    }
    if (step < 0 || length < 0 || owned.length > MAX_BUFFERS) {
      throw new IllegalArgumentException("OptimizerState: bad step " + step + ", length " + length + " or buffer count "
          + owned.length + " (at most " + MAX_BUFFERS + ")");
    }
    for (int b = 0; b < owned.length; b++) {
      if (owned[b].length != length) {
        throw new IllegalArgumentException("OptimizerState: buffer " + b + " holds " + owned[b].length
            + " floats, expected " + length);
      }
    }
    this.kind = kind;
    this.step = step;
    this.length = length;
    this.buffers = owned;
  }

  public String kind() {
    return kind;
  }

  /** Number of optimizer steps taken when the snapshot was made. */
  public long step() {
    return step;
  }

  /** Parameter count P: the length of every buffer. */
  public int length() {
    return length;
  }

  public int bufferCount() {
    return buffers.length;
  }

  /** A copy of buffer {@code index}. */
  public float[] buffer(int index) {
    return buffers[index].clone();
  }

  /** Copies buffer {@code index} into {@code destination} (length P), avoiding a second allocation. */
  void copyBufferInto(int index, float[] destination) {
    System.arraycopy(buffers[index], 0, destination, 0, length);
  }

  /** Throws naming both states unless this one matches the kind, buffer count and length an optimizer expects. */
  void requireMatches(String op, String expectedKind, int expectedBuffers, int expectedLength) {
    if (!kind.equals(expectedKind) || buffers.length != expectedBuffers || length != expectedLength) {
      throw new IllegalArgumentException(op + ": cannot restore " + describe(kind, buffers.length, length)
          + " into " + describe(expectedKind, expectedBuffers, expectedLength));
    }
  }

  private static String describe(String kind, int bufferCount, int length) {
    return "'" + kind + "' state with " + bufferCount + " buffer(s) of " + length + " floats";
  }

  /** Writes the layout in the class comment; does not close {@code out}. */
  public void write(OutputStream out) throws IOException {
    byte[] kindBytes = kind.getBytes(StandardCharsets.UTF_8);
    ByteBuffer header = ByteBuffer.allocate(4 + 4 + 4 + kindBytes.length + 8 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(VERSION).putInt(kindBytes.length).put(kindBytes)
        .putLong(step).putInt(length).putInt(buffers.length);
    out.write(header.array());
    ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] buffer : buffers) {
      for (int start = 0; start < length; start += CHUNK_FLOATS) {
        int n = Math.min(CHUNK_FLOATS, length - start);
        chunk.clear();
        chunk.asFloatBuffer().put(buffer, start, n);
        out.write(chunk.array(), 0, 4 * n);
      }
    }
  }

  /**
   * Reads a state written by {@link #write}, consuming exactly its bytes; throws {@link IOException} if the stream
   * ends early or does not hold this layout (wrong magic, version or counts).
   */
  public static OptimizerState read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] magic = new byte[4];
    data.readFully(magic);
    if (!MAGIC.equals(new String(magic, StandardCharsets.ISO_8859_1))) {
      throw new IOException("OptimizerState.read: not an optimizer state (magic bytes "
          + Arrays.toString(magic) + ", expected \"" + MAGIC + "\")");
    }
    int version = readInt(data);
    if (version != VERSION) {
      throw new IOException("OptimizerState.read: unsupported version " + version + ", expected " + VERSION);
    }
    int kindLength = readInt(data);
    if (kindLength <= 0 || kindLength > MAX_KIND_BYTES) {
      throw new IOException("OptimizerState.read: bad kind length " + kindLength);
    }
    byte[] kindBytes = new byte[kindLength];
    data.readFully(kindBytes);
    long step = Long.reverseBytes(data.readLong());
    int length = readInt(data);
    int count = readInt(data);
    if (step < 0 || length < 0 || count < 0 || count > MAX_BUFFERS) {
      throw new IOException("OptimizerState.read: bad step " + step + ", length " + length + " or buffer count "
          + count);
    }
    float[][] buffers = new float[count][];
    byte[] chunk = new byte[4 * CHUNK_FLOATS];
    ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int b = 0; b < count; b++) {
      buffers[b] = new float[length];
      for (int start = 0; start < length; start += CHUNK_FLOATS) {
        int n = Math.min(CHUNK_FLOATS, length - start);
        data.readFully(chunk, 0, 4 * n);
        view.clear();
        view.asFloatBuffer().get(buffers[b], start, n);
      }
    }
    return new OptimizerState(new String(kindBytes, StandardCharsets.UTF_8), step, length, buffers);
  }

  private static int readInt(DataInputStream data) throws IOException {
    return Integer.reverseBytes(data.readInt());
  }

  private static float[][] deepCopy(float[][] buffers) {
    float[][] copy = new float[buffers.length][];
    for (int b = 0; b < buffers.length; b++) {
      copy[b] = buffers[b].clone();
    }
    return copy;
  }

  /** Equal kind, step, length and buffers, floats compared as {@link Float#equals} does (bit patterns). */
  @Override
  public boolean equals(Object other) {
    if (!(other instanceof OptimizerState)) {
      return false;
    }
    OptimizerState o = (OptimizerState) other;
    return kind.equals(o.kind) && step == o.step && length == o.length && Arrays.deepEquals(buffers, o.buffers);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * kind.hashCode() + Long.hashCode(step)) + Arrays.deepHashCode(buffers);
  }

  @Override
  public String toString() {
    return describe(kind, buffers.length, length) + " after " + step + " steps";
  }
}
