package io.spindle.ml;

import io.spindle.data.BadInputException;
import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * Reads a row's validation flag, the value of a {@link HasValidationIndicatorCol#validationIndicatorCol()} selected
 * into the row at {@code index} (a literal {@code false} when the stage has no such column, {@code column} null); a
 * null is an error naming the column. Travels in Spark closures, so it holds only names.
 */
record ValidationFlag(String stage, String column, int index) implements Serializable {
  /** Whether {@code r} is for validation only. */
  boolean of(Row r) {
    if (r.isNullAt(index)) {
      throw new BadInputException(stage + ": null in the validation indicator column '" + column
          + "' (expected true for a validation row, false for a training row)");
    }
    return r.getBoolean(index);
  }
}
