package io.spindle.ml;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A {@link TransformerClassificationModel} scored on labelled data ({@link TransformerClassificationModel#evaluate}),
 * like MLlib's {@code ClassificationSummary}: the predictions and the accuracy.
 */
public final class TransformerClassificationSummary {
  private final Dataset<Row> predictions;
  private final double accuracy;
  private final long count;

  TransformerClassificationSummary(Dataset<Row> predictions, double accuracy, long count) {
    this.predictions = predictions;
    this.accuracy = accuracy;
    this.count = count;
  }

  /** The input rows with rawPrediction, probability and prediction added. */
  public Dataset<Row> predictions() {
    return predictions;
  }

  /** Fraction of rows whose prediction equals the label. */
  public double accuracy() {
    return accuracy;
  }

  /** Rows scored. */
  public long count() {
    return count;
  }
}
