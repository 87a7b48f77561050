package io.spindle.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

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

  /** The indicator column's name, or null when none is set (every row trains). */
  default String validationColumn() {
    return hasValidationIndicatorCol() ? getOrDefault(validationIndicatorCol()) : null;
  }

  /** The indicator column of {@code dataset}, or a literal false when none is set (every row trains). */
  default Column validationIndicator(Dataset<?> dataset) {
    return hasValidationIndicatorCol() ? dataset.col(validationColumn()) : functions.lit(false);
  }

  /** When one is set, checks that {@code schema} has the indicator column, of type boolean; for a fit's schema. */
  default void requireValidationIndicatorCol(String stage, StructType schema) {
    if (hasValidationIndicatorCol()) {
      Schemas.requireBoolean(stage, schema, validationColumn());
    }
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
