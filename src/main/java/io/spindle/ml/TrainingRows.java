package io.spindle.ml;

import io.spindle.data.BadInputException;
import io.spindle.spark.LabeledSequence;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Reads the rows {@link TransformerClassifier} fits on, selected as (token ids, label cast to double, validation
 * flag), into examples, and checks them; every error names the column and the offending value. Travels in Spark
 * closures instead of the estimator, so it holds only the column names.
 *
 * <ul>
 *   <li>ids null or empty: the row is skipped (and counted);
 *   <li>a null id inside the array: error naming the position;
 *   <li>label null, negative, fractional or not finite: error naming the label column and the value;
 *   <li>validation flag null: error naming the indicator column.
 * </ul>
 */
final class TrainingRows implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Statistics of no rows: {rows, skipped, training, validation, min id, max id, max label}. */
  static final long[] NONE = {0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
  static final int ROWS = 0;
  static final int SKIPPED = 1;
  static final int TRAINING = 2;
  static final int VALIDATION = 3;
  static final int MIN_ID = 4;
  static final int MAX_ID = 5;
  static final int MAX_LABEL = 6;

  private final String stage;
  private final String idsColumn;
  private final String labelColumn;
  private final String indicatorColumn;

  /** {@code indicatorColumn} is null when there is no validation column (the flag is then always false). */
  TrainingRows(String stage, String idsColumn, String labelColumn, String indicatorColumn) {
    this.stage = stage;
    this.idsColumn = idsColumn;
    this.labelColumn = labelColumn;
    this.indicatorColumn = indicatorColumn;
  }

  /** Whether the row has token ids; rows without are skipped. */
  boolean usable(Row r) {
    return !r.isNullAt(0) && !r.getList(0).isEmpty();
  }

  /** Whether a usable row is for validation only. */
  boolean validation(Row r) {
    if (r.isNullAt(2)) {
      throw new BadInputException(stage + ": null in the validation indicator column '" + indicatorColumn
          + "' (expected true for a validation row, false for a training row)");
    }
    return r.getBoolean(2);
  }

  /** The example of a usable row. */
  LabeledSequence example(Row r) {
    if (r.isNullAt(1)) {
      throw new BadInputException(stage + ": null label in column '" + labelColumn + "' (expected a class "
          + "index 0..K-1)");
    }
    double value = r.getDouble(1);
    if (!(value >= 0 && value == Math.rint(value) && value < Integer.MAX_VALUE)) {
      throw new BadInputException(stage + ": label " + value + " in column '" + labelColumn
          + "' is not a class index (a whole number 0..K-1)");
    }
    List<Integer> list = r.getList(0);
    int[] ids = new int[list.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = list.get(i);
      if (id == null) {
        throw new BadInputException(stage + ": null token id at position " + i + " in column '"
            + idsColumn + "'");
      }
      ids[i] = id;
    }
    return new LabeledSequence(ids, (int) value);
  }

  /** The statistics of one row (see {@link #NONE}); checks it as {@link #example} and {@link #validation} do. */
  long[] stats(Row r) {
    long[] s = NONE.clone();
    s[ROWS] = 1;
    if (!usable(r)) {
      s[SKIPPED] = 1;
      return s;
    }
    LabeledSequence e = example(r);
    s[validation(r) ? VALIDATION : TRAINING] = 1;
    for (int id : e.ids()) {
      s[MIN_ID] = Math.min(s[MIN_ID], id);
      s[MAX_ID] = Math.max(s[MAX_ID], id);
    }
    s[MAX_LABEL] = e.label();
    return s;
  }

  /** The statistics of two sets of rows together (a new array). */
  static long[] merge(long[] a, long[] b) {
    long[] s = new long[NONE.length];
    for (int i = 0; i < MIN_ID; i++) {
      s[i] = a[i] + b[i];
    }
    s[MIN_ID] = Math.min(a[MIN_ID], b[MIN_ID]);
    s[MAX_ID] = Math.max(a[MAX_ID], b[MAX_ID]);
    s[MAX_LABEL] = Math.max(a[MAX_LABEL], b[MAX_LABEL]);
    return s;
  }
}
