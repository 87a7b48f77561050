package io.spindle.train;

import java.io.Serializable;

/**
 * When a trainer evaluates its validation data and when it stops early; ignored when it trains without validation
 * data. The same for every model family and trainer. Validated once.
 *
 * <p>An evaluation <em>improves</em> when its mean validation loss is below the best one so far minus
 * {@code tolerance} (the first finite loss always improves). With early stopping on ({@code patience > 0}) training
 * stops after {@code patience} evaluations in a row that do not improve, and the trained model ends with the weights
 * of the best evaluation, whether it stopped early or ran every step (Keras's {@code restore_best_weights}).
 *
 * @param interval evaluate after every {@code interval} steps and after the last step; 0 = after the last step only
 * @param patience evaluations in a row without improvement that stop training; 0 = never stop early (>= 0)
 * @param tolerance the decrease of the validation loss below the best so far that counts as improvement (>= 0)
 * @param maxBatches evaluate at most this many batches of each part of the validation data, except after the last
 *     step, which evaluates all of it; 0 = always all
 */
public record ValidationPolicy(int interval, int patience, double tolerance, int maxBatches) implements Serializable {
  private static final long serialVersionUID = 1L;

  public ValidationPolicy {
    if (interval < 0 || patience < 0 || !(tolerance >= 0) || Double.isInfinite(tolerance) || maxBatches < 0) {
      throw new IllegalArgumentException("validation policy: interval, patience and max batches must be >= 0 and "
          + "tolerance finite and >= 0, got " + interval + ", " + patience + ", " + maxBatches + " and " + tolerance);
    }
    if (patience > 0 && interval == 0) {
      throw new IllegalArgumentException("validation policy: early stopping (patience " + patience + ") needs an "
          + "evaluation interval > 0");
    }
  }

  /** Evaluates every {@code interval} steps (0: after the last only), all of the data, never stops early. */
  public static ValidationPolicy every(int interval) {
    return new ValidationPolicy(interval, 0, 0, 0);
  }

  /** This policy, stopping after {@code patience} evaluations without an improvement of more than {@code tolerance}. */
  public ValidationPolicy withEarlyStopping(int patience, double tolerance) {
    return new ValidationPolicy(interval, patience, tolerance, maxBatches);
  }

  /** This policy, evaluating at most {@code maxBatches} batches of each part but after the last step. */
  public ValidationPolicy withMaxBatches(int maxBatches) {
    return new ValidationPolicy(interval, patience, tolerance, maxBatches);
  }

  /** Whether training may stop early (and then keeps the best weights). */
  public boolean earlyStopping() {
    return patience > 0;
  }

  /** Whether to evaluate after step {@code step} (1-based), {@code last} being whether it is the run's last. */
  public boolean due(long step, boolean last) {
    return last || (interval > 0 && step % interval == 0);
  }
}
