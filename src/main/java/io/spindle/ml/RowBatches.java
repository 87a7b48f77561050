package io.spindle.ml;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Batched inference over a partition's rows: the models' {@code transform} reads up to {@code size} rows at a time,
 * runs them through the network as one batch and hands the output rows on one by one, so a partition never holds
 * more than one batch and every row goes through the network in a batch of its neighbours.
 */
final class RowBatches {
  private RowBatches() {}

  /** The rows {@code process} makes of consecutive batches of at most {@code size} input rows, in order. */
  static Iterator<Row> map(Iterator<Row> rows, int size, Function<List<Row>, List<Row>> process) {
    return new Iterator<>() {
      private final List<Row> ready = new ArrayList<>();
      private int next;

      @Override
      public boolean hasNext() {
        if (next < ready.size()) {
          return true;
        }
        ready.clear();
        next = 0;
        List<Row> batch = new ArrayList<>(size);
        while (batch.size() < size && rows.hasNext()) {
          batch.add(rows.next());
        }
        if (!batch.isEmpty()) {
          ready.addAll(process.apply(batch));
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ready.get(next++);
      }
    };
  }

  /** {@code row} with {@code values} appended, the output columns of a {@code transform}. */
  static Row appended(Row row, Object... values) {
    Object[] all = new Object[row.length() + values.length];
    for (int i = 0; i < row.length(); i++) {
      all[i] = row.get(i);
    }
    System.arraycopy(values, 0, all, row.length(), values.length);
    return RowFactory.create(all);
  }
}
