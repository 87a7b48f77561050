package io.spindle.optim;

import java.io.Serializable;

/**
 * A learning rate of its own for a group of parameters: those whose names start with {@code namePrefix} step at
 * {@code scale} times the schedule's rate, the others at the rate itself. Scale 0 freezes the group; a fine-tuned
 * backbone usually takes a scale below 1 (its own step size over the head's). {@link ScaledRates} applies it.
 *
 * @param namePrefix the group's parameter-name prefix, for example {@code "transformer."}
 * @param scale the group's rate over the schedule's, finite and >= 0
 */
public record ParameterRateScale(String namePrefix, double scale) implements Serializable {
  private static final long serialVersionUID = 1L;

  public ParameterRateScale {
    if (namePrefix == null || namePrefix.isEmpty()) {
      throw new IllegalArgumentException("ParameterRateScale: a non-empty name prefix is required");
    }
    Checks.nonNegative("ParameterRateScale", "scale", scale);
  }
}
