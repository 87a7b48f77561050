package io.spindle.spark;

import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A model for inference inside Spark tasks, of any family: the driver broadcasts the flat weights once
 * ({@link #of}); this small object (the broadcast handle, the format and the config) travels in closures, and in each
 * task the first {@link #model()} builds the model and copies the weights in (once per task, never per row).
 * {@link #local} is the same handle without Spark, for code that runs in this JVM (an objective under the in-process
 * trainer): the weights are held in the object itself, so it is only meant to be serialized when it is small.
 *
 * <p>{@link #model()} may be called from several threads; the model it returns is shared by them and used read-only
 * (inference), which is safe. The broadcast is left to Spark's cleaner (a lazy result may still need it);
 * {@link #destroy()} releases it when no job will use it again.
 */
public final class BroadcastModel<C extends Serializable, M extends Network<?>> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<float[]> broadcast;
  private final float[] held;
  private final ModelFormat<C, M> format;
  private final C config;
  private transient M model;

  private BroadcastModel(Broadcast<float[]> broadcast, float[] held, ModelFormat<C, M> format, C config) {
    this.broadcast = broadcast;
    this.held = held;
    this.format = format;
    this.config = config;
  }

  /** Broadcasts {@code model}'s current weights. */
  public static <C extends Serializable, M extends Network<?>> BroadcastModel<C, M> of(JavaSparkContext jsc,
      ModelFormat<C, M> format, M model) {
    return new BroadcastModel<>(jsc.broadcast(model.parameters().values().toArray()), null, format,
        format.config(model));
  }

  /** A copy of {@code model}'s current weights held in the handle itself, for use without Spark. */
  public static <C extends Serializable, M extends Network<?>> BroadcastModel<C, M> local(ModelFormat<C, M> format,
      M model) {
    return new BroadcastModel<>(null, model.parameters().values().toArray(), format, format.config(model));
  }

  public C config() {
    return config;
  }

  /** The model with the broadcast (or held) weights, built on first use in this task. */
  public synchronized M model() {
    if (model == null) {
      M m = format.build(config);
      m.parameters().values().copyFrom(broadcast != null ? broadcast.value() : held);
      model = m;
    }
    return model;
  }

  /** Releases the broadcast weights on the driver and the executors (nothing to release for a local handle). */
  public void destroy() {
    if (broadcast != null) {
      broadcast.destroy();
    }
  }
}
