package io.spindle.ml;

import io.spindle.data.BadInputException;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Reads a row's validation flag, the value of a {@link HasValidationIndicatorCol#validationIndicatorCol()} selected
 * into the row (or {@code false} when the stage has none); a null is an error naming the column. Travels in Spark
 * closures, so it holds only names.
 */
final class ValidationFlag implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String stage;
  private final String column;
  private final int index;

  /** The flag at {@code index} of a row, from the indicator column {@code column} (null: none, the flag is false). */
  ValidationFlag(String stage, String column, int index) {
    this.stage = stage;
    this.column = column;
    this.index = index;
  }

  /** Whether {@code r} is for validation only. */
  boolean of(Row r) {
    if (r.isNullAt(index)) {
      throw new BadInputException(stage + ": null in the validation indicator column '" + column
          + "' (expected true for a validation row, false for a training row)");
    }
    return r.getBoolean(index);
  }
}
