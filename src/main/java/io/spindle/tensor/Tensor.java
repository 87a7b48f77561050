package io.spindle.tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense float32 tensor: a contiguous, row-major window of a {@link Storage}, with a shape.
 *
 * <p>Views are cheap where they need no copy: {@link #reshape} and {@link #narrow} (a range of the leading
 * dimension) share storage with the original. Everything else that changes layout (transpose, split) is an op in
 * {@code io.spindle.autograd} and copies. This class holds only data access; the arithmetic a transformer needs lives
 * with the ops that differentiate it.
 */
public final class Tensor {
  /** Never written: the source of bulk zero fills. */
  private static final float[] ZEROS = new float[Scratch.BLOCK];

  private final Storage storage;
  private final int offset;
  private final int[] shape;
  private final int size;

  private Tensor(Storage storage, int offset, int[] shape) {
    this.storage = storage;
    this.offset = offset;
    this.shape = shape;
    this.size = Shape.size(shape);
    if (offset < 0 || offset + size > storage.length()) {
      throw new IllegalArgumentException("Tensor " + Shape.toString(shape) + " at offset " + offset
          + " does not fit storage of " + storage.length() + " floats");
    }
  }

  /** A view of {@code storage} from {@code offset} with the given shape (validated). */
  public static Tensor view(Storage storage, int offset, int... shape) {
    return new Tensor(storage, offset, Shape.validate(shape));
  }

  /** A new zero-filled tensor in freshly allocated storage. */
  public static Tensor zeros(int... shape) {
    int[] s = Shape.validate(shape);
    return new Tensor(Storage.allocate(Shape.size(s)), 0, s);
  }

  /** A new tensor holding a copy of {@code values} (length must equal the shape's size). */
  public static Tensor of(float[] values, int... shape) {
    Tensor t = zeros(shape);
    if (values.length != t.size) {
      throw new IllegalArgumentException("Tensor.of: " + values.length + " values for shape " + Shape.toString(shape));
    }
    t.copyFrom(values);
    return t;
  }

  /** A 0-dimensional tensor holding one value. */
  public static Tensor scalar(float value) {
    return of(new float[] {value});
  }

  public Storage storage() {
    return storage;
  }

  /** Element offset of this view's first element in its storage. */
  public int offset() {
    return offset;
  }

  /** The storage's buffer, for kernels: element {@code i} of this tensor is {@code buffer().get(offset() + i)}. */
  public FloatBuffer buffer() {
    return storage.buffer();
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code d}; negative {@code d} counts from the end. */
  public int dim(int d) {
    return shape[d < 0 ? shape.length + d : d];
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  public boolean hasShape(int... other) {
    return Arrays.equals(shape, other);
  }

  public boolean sameShape(Tensor other) {
    return Arrays.equals(shape, other.shape);
  }

  /** Element at flat (row-major) index {@code i}. */
  public float get(int i) {
    return storage.buffer().get(offset + i);
  }

  public void set(int i, float value) {
    storage.buffer().put(offset + i, value);
  }

  /** The same data with another shape of equal size; one dimension may be -1 (inferred). Shares storage. */
  public Tensor reshape(int... newShape) {
    return new Tensor(storage, offset, Shape.infer(newShape, size));
  }

  /** Rows {@code [start, start + length)} of the leading dimension, sharing storage. */
  public Tensor narrow(int start, int length) {
    if (shape.length == 0 || start < 0 || length < 0 || start + length > shape[0]) {
      throw new IllegalArgumentException("narrow(" + start + ", " + length + ") out of range for "
          + Shape.toString(shape));
    }
    int[] s = shape.clone();
    s[0] = length;
    return new Tensor(storage, offset + start * (size / Math.max(1, shape[0])), s);
  }

  /** Sets every element to {@code value}; returns this. */
  public Tensor fillInPlace(float value) {
    FloatBuffer b = storage.buffer();
    // bulk puts from a filled block: memset speed instead of one bounds-checked put per element
    float[] block = value == 0f ? ZEROS : new float[Math.min(size, Scratch.BLOCK)];
    if (value != 0f) {
      Arrays.fill(block, value);
    }
    for (int i = 0; i < size; i += block.length) {
      b.put(offset + i, block, 0, Math.min(block.length, size - i));
    }
    return this;
  }

  /** Copies {@code src} (same size) into this tensor; returns this. */
  public Tensor copyFrom(Tensor src) {
    if (src.size != size) {
      throw new IllegalArgumentException("copyFrom: sizes differ, " + Shape.toString(shape) + " vs "
          + Shape.toString(src.shape));
    }
    storage.buffer().put(offset, src.storage.buffer(), src.offset, size);
    return this;
  }

  /** Copies {@code values} (length equal to this size) into this tensor; returns this. */
  public Tensor copyFrom(float[] values) {
    if (values.length != size) {
      throw new IllegalArgumentException("copyFrom: " + values.length + " values for " + Shape.toString(shape));
    }
    storage.buffer().put(offset, values, 0, size);
    return this;
  }

  /** {@code this += other} elementwise (same size); returns this. */
  public Tensor addInPlace(Tensor other) {
    if (other.size != size) {
      throw new IllegalArgumentException("addInPlace: sizes differ, " + Shape.toString(shape) + " vs "
          + Shape.toString(other.shape));
    }
    FloatBuffer d = storage.buffer();
    FloatBuffer s = other.storage.buffer();
    float[] x = Scratch.floats(Scratch.SLOTS - 2, Scratch.BLOCK);
    float[] y = Scratch.floats(Scratch.SLOTS - 1, Scratch.BLOCK);
    for (int i = 0; i < size; i += Scratch.BLOCK) {
      int n = Math.min(Scratch.BLOCK, size - i);
      d.get(offset + i, x, 0, n);
      s.get(other.offset + i, y, 0, n);
      for (int j = 0; j < n; j++) {
        x[j] += y[j];
      }
      d.put(offset + i, x, 0, n);
    }
    return this;
  }

  /** {@code this *= factor} elementwise; returns this. */
  public Tensor scaleInPlace(float factor) {
    FloatBuffer d = storage.buffer();
    for (int i = 0; i < size; i++) {
      d.put(offset + i, d.get(offset + i) * factor);
    }
    return this;
  }

  /** A new {@code float[]} copy of the elements. */
  public float[] toArray() {
    float[] out = new float[size];
    storage.buffer().get(offset, out, 0, size);
    return out;
  }

  /** A new tensor with its own storage holding a copy of this one. */
  public Tensor copy() {
    return zeros(shape).copyFrom(this);
  }

  @Override
  public String toString() {
    return "Tensor" + Shape.toString(shape);
  }
}
