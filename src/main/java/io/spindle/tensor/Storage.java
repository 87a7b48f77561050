package io.spindle.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A flat block of float32 memory that tensors view.
 *
 * <p>Where the native BLAS backend is active, storage is <em>off-heap</em> (a direct, 64-byte aligned buffer) so
 * OpenBLAS reads it in place; JNI would otherwise copy every {@code float[]} argument on each call, which costs a
 * quarter of sgemm's speed at transformer shapes. Under the pure-Java backend storage is an on-heap {@code float[]}
 * (wrapped in a heap {@link FloatBuffer}), which is what that BLAS takes. Element kernels see both through the same
 * absolute {@link FloatBuffer} get/put calls.
 *
 * <p>Storage is never resized; it is freed by the garbage collector when no tensor views it. Buffers that live
 * across training steps are recycled by {@link Arena} rather than reallocated.
 */
public final class Storage {
  /**
   * The most floats one off-heap storage holds: a direct buffer has at most 2^31-1 bytes, less the alignment slack.
   * On-heap storage could hold up to 2^31-1 floats, but sizes are checked against this bound (a model's parameters
   * live in one storage, see {@code Parameters}) so that what fits loads under either backend.
   */
  public static final int MAX_LENGTH = (Integer.MAX_VALUE - 127) / 64 * 16;

  private static final AtomicLong BYTES_ALLOCATED = new AtomicLong();

  private final FloatBuffer buffer;
  private FloatPointer pointer; // lazily created view of a direct buffer for JavaCPP calls

  private Storage(FloatBuffer buffer) {
    this.buffer = buffer;
  }

  /** Fresh zero-filled storage of {@code length} floats, off-heap when the active BLAS prefers it. */
  public static Storage allocate(int length) {
    return allocate(length, Blas.get().prefersDirectMemory());
  }

  /**
   * Fresh zero-filled storage of {@code length} floats, off-heap or on-heap as asked whatever backend is active;
   * for tests and benchmarks that drive one backend directly.
   */
  static Storage allocate(int length, boolean offHeap) {
    if (length < 0) {
      throw new IllegalArgumentException("Storage.allocate: negative length " + length);
    }
    if (offHeap && length > MAX_LENGTH) {
      throw new IllegalArgumentException("Storage.allocate: " + length + " floats exceed the largest off-heap "
          + "buffer, " + MAX_LENGTH + " floats (2 GiB)");
    }
    BYTES_ALLOCATED.addAndGet(4L * length);
    if (offHeap) {
      // alignedSlice rounds both ends inward to 64 bytes, so ask for a 64-byte multiple plus one line of slack.
      long padded = (4L * length + 63) / 64 * 64 + 64;
      ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(padded)).alignedSlice(64);
      bytes.order(ByteOrder.nativeOrder());
      return new Storage(bytes.asFloatBuffer().limit(length).slice());
    }
    return new Storage(FloatBuffer.wrap(new float[length]));
  }

  /** Storage viewing an existing array without copying (always on-heap). */
  public static Storage wrap(float[] array) {
    return new Storage(FloatBuffer.wrap(array));
  }

  /** Total bytes ever handed out by {@link #allocate}, process-wide: a counter for benchmarks and tests. */
  public static long bytesAllocated() {
    return BYTES_ALLOCATED.get();
  }

  /** Number of floats. */
  public int length() {
    return buffer.capacity();
  }

  /** The buffer, indexed absolutely from 0; never change its position or limit. */
  public FloatBuffer buffer() {
    return buffer;
  }

  public boolean isDirect() {
    return buffer.isDirect();
  }

  /** The backing array of on-heap storage; throws for off-heap storage. */
  public float[] array() {
    if (!buffer.hasArray()) {
      throw new IllegalStateException("off-heap storage has no backing array");
    }
    return buffer.array();
  }

  /** A JavaCPP pointer at element {@code offset} of off-heap storage (no copy). */
  FloatPointer pointer(int offset) {
    if (pointer == null) {
      pointer = new FloatPointer(buffer);
    }
    return offset == 0 ? pointer : pointer.getPointer(offset);
  }

  public float get(int index) {
    return buffer.get(index);
  }

  public void set(int index, float value) {
    buffer.put(index, value);
  }
}
