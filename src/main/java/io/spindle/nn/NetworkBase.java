package io.spindle.nn;

import io.spindle.autograd.Parameters;
import java.io.Serializable;

/**
 * What every model holds, and how a {@link Network} answers for it: the config it was built from and its
 * parameters, one flat buffer the model's layers read as views.
 *
 * @param <C> the family's config record
 */
abstract class NetworkBase<C extends Serializable> implements Network<C> {
  final C config;
  final Parameters parameters;

  NetworkBase(C config, Parameters parameters) {
    this.config = config;
    this.parameters = parameters;
  }

  /** Draws the weights of a new model from {@code seed}; called once, by {@link #initialised}. */
  abstract void initialise(long seed);

  /** {@code model}, its weights initialised from {@code seed}: the same seed gives the same weights to the bit. */
  static <M extends NetworkBase<?>> M initialised(M model, long seed) {
    model.initialise(seed);
    return model;
  }

  @Override
  public final C config() {
    return config;
  }

  @Override
  public final Parameters parameters() {
    return parameters;
  }
}
