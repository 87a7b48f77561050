package io.spindle.spark;

import io.spindle.tensor.Tensor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.FloatBuffer;

/**
 * The flat weights a training step or an evaluation broadcasts, without copying them on the driver: there it is a
 * view of the model's value buffer (on or off the heap), serialised straight from it in bulk ({@link FloatBytes});
 * where it is deserialised it owns a {@code float[]}. In local mode the tasks read the driver's view itself.
 *
 * <p>Lifecycle: the driver must not change the weights while a job can read the broadcast, which holds because
 * {@link DataParallelStep} and {@link SparkEvaluation} destroy the broadcast once the job has ended and before the
 * update. Reading is thread-safe (absolute bulk gets only).
 *
 * <p>Wire format (Java serialization and {@link SpindleKryoRegistrator}'s Kryo serializer alike): the length, then
 * the float32 elements little-endian.
 */
final class FlatWeights implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient FloatBuffer buffer;
  private transient int offset;
  private transient int length;

  private FlatWeights(FloatBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
  }

  /** A view of {@code values} (no copy). */
  static FlatWeights of(Tensor values) {
    return new FlatWeights(values.buffer(), values.offset(), values.size());
  }

  int length() {
    return length;
  }

  /** Copies the weights into {@code values}, of the same size. */
  void copyInto(Tensor values) {
    if (values.size() != length) {
      throw new IllegalArgumentException("FlatWeights: " + length + " weights for a model of " + values.size());
    }
    values.buffer().put(values.offset(), buffer, offset, length);
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeInt(length);
    FloatBytes.write(out, buffer, offset, length);
  }

  static FlatWeights readFrom(DataInput in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new IOException("FlatWeights: negative length " + length);
    }
    float[] a = new float[length];
    FloatBytes.read(in, a, length, true);
    return new FlatWeights(FloatBuffer.wrap(a), 0, length);
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    writeTo(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    FlatWeights w = readFrom(in);
    buffer = w.buffer;
    offset = 0;
    length = w.length;
  }
}
