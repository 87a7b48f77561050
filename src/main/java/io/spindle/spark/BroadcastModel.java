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
 *
 * <p>The broadcast is left to Spark's cleaner (a lazy result may still need it); {@link #destroy()} releases it when
 * no job will use it again.
 */
final class BroadcastModel<C extends Serializable, M extends Network<?>> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Broadcast<float[]> weights;
  private final ModelFormat<C, M> format;
  private final C config;
  private transient M model;

  private BroadcastModel(Broadcast<float[]> weights, ModelFormat<C, M> format, C config) {
    this.weights = weights;
    this.format = format;
    this.config = config;
  }

  /** Broadcasts {@code model}'s current weights. */
  static <C extends Serializable, M extends Network<?>> BroadcastModel<C, M> of(JavaSparkContext jsc,
      ModelFormat<C, M> format, M model) {
    return new BroadcastModel<>(jsc.broadcast(model.parameters().values().toArray()), format, format.config(model));
  }

  C config() {
    return config;
  }

  /** The model with the broadcast weights, built on first use in this task. */
  M model() {
    if (model == null) {
      M m = format.build(config);
      m.parameters().values().copyFrom(weights.value());
      model = m;
    }
    return model;
  }

  /** Releases the broadcast weights on the driver and the executors. */
  void destroy() {
    weights.destroy();
  }
}
