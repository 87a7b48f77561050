package io.spindle.spark;

/**
 * When {@link SparkClassifierTrainer} evaluates its validation examples and when it stops early; ignored when it
 * trains without validation examples. Validated once.
 *
 * <p>An evaluation <em>improves</em> when its mean validation loss is below the best one so far minus
 * {@code tolerance} (the first finite loss always improves). With early stopping on ({@code patience > 0}) training
 * stops after {@code patience} evaluations in a row that do not improve, and the trained model ends with the weights
 * of the best evaluation, whether it stopped early or ran every step (Keras's {@code restore_best_weights}).
 *
 * @param interval evaluate after every {@code interval} steps, and after the last step (>= 1)
 * @param patience evaluations in a row without improvement that stop training; 0 = never stop early (>= 0)
 * @param tolerance the decrease of the validation loss below the best so far that counts as improvement (>= 0)
 */
public record ValidationPolicy(int interval, int patience, double tolerance) {

  public ValidationPolicy {
    if (interval < 1 || patience < 0 || !(tolerance >= 0)) {
      throw new IllegalArgumentException("validation policy: interval must be >= 1, patience >= 0 and tolerance "
          + ">= 0, got " + interval + ", " + patience + " and " + tolerance);
    }
  }

  /** Evaluates every {@code interval} steps, never stops early. */
  public static ValidationPolicy every(int interval) {
    return new ValidationPolicy(interval, 0, 0);
  }

  /** This policy, stopping after {@code patience} evaluations without an improvement of more than {@code tolerance}. */
  public ValidationPolicy withEarlyStopping(int patience, double tolerance) {
    return new ValidationPolicy(interval, patience, tolerance);
  }

  /** Whether training may stop early (and then keeps the best weights). */
  public boolean earlyStopping() {
    return patience > 0;
  }
}
