package io.spindle.ml;

import org.apache.spark.ml.param.Param;

/**
 * Validation rows marked by a boolean column, as in MLlib's {@code GBTClassifier}: rows where it is true are only
 * scored (every validationInterval steps and after the last, and for early stopping), never trained on. A null in
 * the column is an error naming it; a column that marks no usable row is refused.
 */
public interface HasValidationIndicatorCol extends HasValidation {
  /** Validation indicator column (boolean). No default: without it there is no validation. */
  default Param<String> validationIndicatorCol() {
    return declaredParams().stringParam("validationIndicatorCol", "name of the boolean column that marks the rows "
        + "used only for validation (true) rather than training (false)", null);
  }

  /** Whether a non-empty {@link #validationIndicatorCol()} is set. */
  default boolean hasValidationIndicatorCol() {
    return isNonEmpty(validationIndicatorCol());
  }

  /** Validation rows need the indicator column. */
  @Override
  default String missingValidation() {
    return hasValidationIndicatorCol() ? null : "no validationIndicatorCol is set";
  }

  /**
   * The setter, for the estimators.
   *
   * @param <S> the estimator, which the setter returns
   */
  @SuppressWarnings("unchecked")
  interface Setters<S> extends HasValidationIndicatorCol {
    default S setValidationIndicatorCol(String value) {
      return (S) set(validationIndicatorCol(), value);
    }
  }
}
