package io.spindle.train;

import java.io.Serializable;

/**
 * A model scored on held-out data, as sums that add up over batches, threads and Spark partitions: the summed loss,
 * what it was summed over (target tokens for a language model or a translator, examples for a classifier), and, where
 * the family measures it, how many of those the model predicted right.
 *
 * @param lossSum the summed loss, in nats
 * @param count tokens or examples summed over
 * @param correct arg-max predictions equal to the target, or -1 where the family does not measure accuracy
 */
public record Evaluation(double lossSum, long count, long correct) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Nothing evaluated, with or without accuracy. */
  public static Evaluation none(boolean accuracy) {
    return new Evaluation(0, 0, accuracy ? 0 : -1);
  }

  public Evaluation plus(Evaluation other) {
    return new Evaluation(lossSum + other.lossSum, count + other.count,
        correct < 0 || other.correct < 0 ? -1 : correct + other.correct);
  }

  /** Mean loss per token or example (NaN when nothing was evaluated). */
  public double meanLoss() {
    return lossSum / count;
  }

  /** The fraction predicted right; NaN where accuracy is not measured or nothing was evaluated. */
  public double accuracy() {
    return correct < 0 ? Double.NaN : (double) correct / count;
  }
}
