package io.spindle.train;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one training step reports; one line of {@code metrics.jsonl}.
 *
 * @param step 1-based index of the step just taken
 * @param loss mean training loss per token of this step's batch
 * @param learningRate rate used by this step
 * @param tokensPerSecond training tokens per second, averaged over the run so far (evaluation time excluded)
 * @param elapsedSeconds wall-clock seconds since training started
 * @param gradNorm global gradient norm before clipping
 * @param validationLoss mean validation loss per token if evaluated after this step, else NaN
 * @param extra the objective's further metrics of this step by name ({@link Objective#metrics}: for reinforcement
 *     learning the mean reward, the KL divergence to the reference model, ...), empty for the supervised families;
 *     kept in name order. A name may not be one of {@link #NAMES}, the keys of the fields above in
 *     {@code metrics.jsonl}.
 */
public record StepMetrics(long step, double loss, double learningRate, double tokensPerSecond, double elapsedSeconds,
    double gradNorm, double validationLoss, Map<String, Double> extra) {
  /** The {@code metrics.jsonl} keys of the fixed fields, which no extra metric may take. */
  public static final Set<String> NAMES = Set.of("step", "loss", "lr", "tokens_per_sec", "elapsed_s", "grad_norm",
      "val_loss");

  /** Copies {@code extra}; throws if an extra metric takes the name of a fixed field. */
  public StepMetrics {
    for (String name : extra.keySet()) {
      if (NAMES.contains(name)) {
        throw new IllegalArgumentException("StepMetrics: the extra metric '" + name + "' has the name of a fixed "
            + "field " + NAMES);
      }
    }
    extra = extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(extra));
  }

  /** The metrics of a step with no extra ones. */
  public StepMetrics(long step, double loss, double learningRate, double tokensPerSecond, double elapsedSeconds,
      double gradNorm, double validationLoss) {
    this(step, loss, learningRate, tokensPerSecond, elapsedSeconds, gradNorm, validationLoss, Map.of());
  }

  public boolean evaluated() {
    return !Double.isNaN(validationLoss);
  }
}
