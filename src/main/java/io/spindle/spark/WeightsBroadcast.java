package io.spindle.spark;

import io.spindle.tensor.Tensor;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The weights of one training step or evaluation, broadcast as a view of the driver's buffer ({@link FlatWeights}),
 * and destroyed on {@link #close} (after the job, before the weights change).
 *
 * <p>In local mode the tasks run in the driver's JVM and read the broadcast's value from the one block manager, so
 * Spark's copy of it in pieces (serialised into fresh 4 MB buffers every step: at 10.8M parameters about 20 ms of a
 * warm step and 55 ms of a cold one, docs/benchmarks.md) is never read. There the broadcast holds a same-JVM view
 * ({@link FlatWeights#sameJvm}): its pieces carry a key, and should the value ever be read from bytes (Spark dropped
 * it from memory to disk) the key finds the same view. On a cluster, or with {@link #SAME_JVM} false, the pieces
 * carry the weights, as before.
 */
final class WeightsBroadcast implements AutoCloseable {
  /** The Spark setting that turns the same-JVM view off in local mode (then the pieces carry the weights). */
  static final String SAME_JVM = "spark.spindle.localWeightsByReference";

  private final FlatWeights weights;
  private final Broadcast<FlatWeights> handle;

  private WeightsBroadcast(FlatWeights weights, Broadcast<FlatWeights> handle) {
    this.weights = weights;
    this.handle = handle;
  }

  /** Broadcasts {@code values} (no copy on the driver: they must not change until {@link #close}). */
  static WeightsBroadcast of(JavaSparkContext jsc, Tensor values) {
    FlatWeights weights = jsc.isLocal() && jsc.getConf().getBoolean(SAME_JVM, true) // isLocal: local or local[...]
        ? FlatWeights.sameJvm(values) : FlatWeights.of(values);
    try {
      return new WeightsBroadcast(weights, jsc.broadcast(weights));
    } catch (RuntimeException e) {
      weights.release();
      throw e;
    }
  }

  /** The handle tasks capture. */
  Broadcast<FlatWeights> handle() {
    return handle;
  }

  /** Destroys the broadcast on the driver and the executors and releases the view. */
  @Override
  public void close() {
    try {
      handle.destroy();
    } finally {
      weights.release();
    }
  }
}
