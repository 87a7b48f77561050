package io.spindle.plot;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A confusion matrix as a {@link Heatmap}: one row per true class, one column per predicted class, each cell showing
 * how many examples of its row's class were predicted as its column's, coloured by that count's share of the row (so
 * a class with few examples is as visible as a large one; a perfect classifier draws a dark diagonal).
 */
public final class ConfusionMatrixChart {
  private ConfusionMatrixChart() {}

  /**
   * {@code counts[t][p]}: how many examples of class t were predicted as class p, for classes in [0, K).
   *
   * @throws IllegalArgumentException when the arrays differ in length or a class is outside [0, K)
   */
  public static long[][] count(int[] actual, int[] predicted, int numClasses) {
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException("confusion matrix: " + actual.length + " labels but " + predicted.length
          + " predictions");
    }
    long[][] counts = new long[numClasses][numClasses];
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] < 0 || actual[i] >= numClasses || predicted[i] < 0 || predicted[i] >= numClasses) {
        throw new IllegalArgumentException("confusion matrix: example " + i + " has label " + actual[i]
            + " and prediction " + predicted[i] + ", outside [0, " + numClasses + ")");
      }
      counts[actual[i]][predicted[i]]++;
    }
    return counts;
  }

  /** Draws {@code counts} (K x K, from {@link #count}) with the class names in {@code labels}. */
  public static BufferedImage draw(String title, long[][] counts, List<String> labels, int width, int height) {
    int k = labels.size();
    if (counts.length != k) {
      throw new IllegalArgumentException("confusion matrix: " + counts.length + " rows for " + k + " labels");
    }
    double[][] share = new double[k][k];
    String[][] text = new String[k][k];
    for (int t = 0; t < k; t++) {
      if (counts[t].length != k) {
        throw new IllegalArgumentException("confusion matrix: row " + t + " has " + counts[t].length
            + " columns for " + k + " labels");
      }
      long total = 0;
      for (long c : counts[t]) {
        total += c;
      }
      for (int p = 0; p < k; p++) {
        share[t][p] = total == 0 ? 0 : (double) counts[t][p] / total;
        text[t][p] = Long.toString(counts[t][p]);
      }
    }
    return Heatmap.of(share).withTitle(title).withRowLabels(labels).withColumnLabels(labels)
        .withAxisLabels("true class", "predicted class").withCellText(text).withScaleMax(1).draw(width, height);
  }
}
