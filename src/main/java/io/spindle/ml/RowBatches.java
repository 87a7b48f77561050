package io.spindle.ml;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Batched inference over a partition's rows, the per-partition function of every model's {@code transform}: reads
 * up to {@link #batchSize()} rows at a time, runs them through the network as one batch ({@link #process}) and
 * hands the output rows on one by one, so a partition never holds more than one batch and every row goes through
 * the network in a batch of its neighbours. Implementations are small records that capture only an inference
 * handle (the broadcast weights) and plain values, never the model object.
 */
interface RowBatches extends FlatMapFunction<Iterator<Row>, Row> {
  /** Rows per batch. */
  int batchSize();

  /** The output rows of one batch of input rows, in order: each input row with the outputs appended. */
  List<Row> process(List<Row> batch);

  @Override
  default Iterator<Row> call(Iterator<Row> rows) {
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
        List<Row> batch = new ArrayList<>(batchSize());
        while (batch.size() < batchSize() && rows.hasNext()) {
          batch.add(rows.next());
        }
        if (!batch.isEmpty()) {
          ready.addAll(process(batch));
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
