package io.spindle.spark;

import io.spindle.tensor.Tensor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.util.KnownSizeEstimation;

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
 * the float32 elements little-endian. A same-JVM view ({@link #sameJvm}) writes -1 and its key instead: its bytes
 * are read back only in the JVM that wrote them, where the key finds the view ({@link WeightsBroadcast}).
 *
 * <p>Size: Spark's block manager sizes every value it stores in memory, the broadcast's too, with its
 * {@code SizeEstimator}, which walks the object graph. From a view of a direct buffer that walk reaches the JVM's
 * list of buffer cleaners, so it visited every direct buffer alive (every tensor): about 1 ms a step in config A,
 * more with more tensors alive, and it reported their objects as the broadcast's size (docs/benchmarks.md, "Config
 * A at the 0.9 boundary"). This class tells Spark its size instead, through Spark's own hook for that,
 * {@code KnownSizeEstimation} (Scala-private to Spark, but a plain interface in bytecode): a view holds no memory of
 * its own, an owned copy its array.
 */
final class FlatWeights implements Serializable, KnownSizeEstimation {
  private static final long serialVersionUID = 1L;
  /** The same-JVM views not yet released, by key. */
  private static final Map<Long, FlatWeights> SAME_JVM = new ConcurrentHashMap<>();
  private static final AtomicLong KEYS = new AtomicLong();

  private transient FloatBuffer buffer;
  private transient int offset;
  private transient int length;
  /** 0, or this view's key in {@link #SAME_JVM}: then it serialises as the key. */
  private transient long key;
  /** Whether the buffer is this object's own array (deserialised), not a view of a model's buffer. */
  private transient boolean owned;

  private FlatWeights(FloatBuffer buffer, int offset, int length, boolean owned) {
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
    this.owned = owned;
  }

  /** A view of {@code values} (no copy). */
  static FlatWeights of(Tensor values) {
    return new FlatWeights(values.buffer(), values.offset(), values.size(), false);
  }

  /**
   * A view of {@code values} that serialises as a key and deserialises, in this JVM only, as this same view, until
   * {@link #release}: for a broadcast whose readers all run in this JVM (local mode), so the broadcast's pieces
   * carry a few bytes instead of the weights.
   */
  static FlatWeights sameJvm(Tensor values) {
    FlatWeights w = of(values);
    w.key = KEYS.incrementAndGet();
    SAME_JVM.put(w.key, w);
    return w;
  }

  /** Ends a same-JVM view's life: its bytes no longer read back (nothing to do for a plain view). */
  void release() {
    if (key != 0) {
      SAME_JVM.remove(key);
    }
  }

  int length() {
    return length;
  }

  /**
   * The bytes this object holds, for Spark's {@code SizeEstimator} (see the class comment): a small object, plus its
   * array when it owns one; a view's buffer belongs to the model.
   */
  @Override
  public long estimatedSize() {
    return 64 + (owned ? 16 + 4L * length : 0);
  }

  /** Copies the weights into {@code values}, of the same size. */
  void copyInto(Tensor values) {
    if (values.size() != length) {
      throw new IllegalArgumentException("FlatWeights: " + length + " weights for a model of " + values.size());
    }
    values.buffer().put(values.offset(), buffer, offset, length);
  }

  void writeTo(DataOutput out) throws IOException {
    if (key != 0) {
      out.writeInt(-1);
      out.writeLong(key);
      return;
    }
    out.writeInt(length);
    FloatBytes.write(out, buffer, offset, length);
  }

  static FlatWeights readFrom(DataInput in) throws IOException {
    int length = in.readInt();
    if (length == -1) {
      long key = in.readLong();
      FlatWeights w = SAME_JVM.get(key);
      if (w == null) {
        throw new IOException("FlatWeights: same-JVM weights " + key + " are released or were written by another JVM"
            + " (only local mode broadcasts them by reference)");
      }
      return w;
    }
    if (length < 0) {
      throw new IOException("FlatWeights: negative length " + length);
    }
    float[] a = new float[length];
    FloatBytes.read(in, a, length, true);
    return new FlatWeights(FloatBuffer.wrap(a), 0, length, true);
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    writeTo(out);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    FlatWeights w = readFrom(in);
    buffer = w.buffer;
    offset = w.offset;
    length = w.length;
    owned = w.owned;
  }
}
