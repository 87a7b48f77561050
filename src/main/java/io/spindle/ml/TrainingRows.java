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

  private final String stage;
  private final String idsColumn;
  private final String labelColumn;
  private final ValidationFlag flag;

  /** {@code indicatorColumn} is null when there is no validation column (the flag is then always false). */
  TrainingRows(String stage, String idsColumn, String labelColumn, String indicatorColumn) {
    this.stage = stage;
    this.idsColumn = idsColumn;
    this.labelColumn = labelColumn;
    this.flag = new ValidationFlag(stage, indicatorColumn, 2);
  }

  /**
   * What one pass over the rows found. Tasks return it as {@link #toArray()}: Spindle's Kryo registrations cover
   * {@code long[]}, not this record.
   */
  record Stats(long rows, long skipped, long training, long validation, long minId, long maxId, long maxLabel) {
    /** The statistics of no rows. */
    static final Stats NONE = new Stats(0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);

    long[] toArray() {
      return new long[] {rows, skipped, training, validation, minId, maxId, maxLabel};
    }

    static Stats of(long[] a) {
      return new Stats(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    }

    /** The statistics of two sets of rows together, as task results. */
    static long[] merge(long[] a, long[] b) {
      return of(a).merge(of(b)).toArray();
    }

    /** The statistics of two sets of rows together. */
    Stats merge(Stats o) {
      return new Stats(rows + o.rows, skipped + o.skipped, training + o.training, validation + o.validation,
          Math.min(minId, o.minId), Math.max(maxId, o.maxId), Math.max(maxLabel, o.maxLabel));
    }

    /** The counts, for messages. */
    String counts() {
      return rows + " rows: " + skipped + " without token ids, " + validation + " for validation";
    }
  }

  /** Whether the row has token ids; rows without are skipped. */
  boolean usable(Row r) {
    return !r.isNullAt(0) && !r.getList(0).isEmpty();
  }

  /** Whether a usable row is for validation only. */
  boolean validation(Row r) {
    return flag.of(r);
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

  /** The statistics of one row, as a task result; checks it as {@link #example} and {@link #validation} do. */
  long[] stats(Row r) {
    if (!usable(r)) {
      return new Stats(1, 1, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE).toArray();
    }
    LabeledSequence e = example(r);
    boolean validating = validation(r);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int id : e.ids()) {
      min = Math.min(min, id);
      max = Math.max(max, id);
    }
    return new Stats(1, 0, validating ? 0 : 1, validating ? 1 : 0, min, max, e.label()).toArray();
  }
}
