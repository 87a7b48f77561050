package io.spindle.spark;

import io.spindle.autograd.Parameters;
import io.spindle.nn.Network;
import io.spindle.train.DataPart;
import io.spindle.train.Evaluation;
import io.spindle.train.Objective;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A model scored on validation data held in Spark, for every model family: one job over the cached parts with the
 * weights broadcast once, each task scoring its part ({@link Objective#evaluateAll}, no dropout) on a pooled model.
 *
 * <p>Each task sums its part's batches in order and the driver adds the parts' sums in partition order, so for a
 * fixed partitioning the result does not depend on task timing (a resumed run sees the losses an uninterrupted one
 * saw).
 */
final class SparkEvaluation {
  private SparkEvaluation() {}

  /**
   * {@code weights} scored on {@code parts} by {@code objective}: at most {@code maxBatches} batches of each part,
   * or all of them when it is 0.
   */
  static <M extends Network<?>, D extends DataPart> Evaluation evaluate(Objective<M, D> objective, JavaRDD<D> parts,
      Parameters weights, int maxBatches) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(parts.context());
    try (WeightsBroadcast broadcast = WeightsBroadcast.of(jsc, weights.values())) { // closed before any update
      Broadcast<FlatWeights> handle = broadcast.handle();
      List<Evaluation> scored = SparkJobs.run("evaluating the validation data", () -> parts.map(part -> {
        ExecutorModels.Workspace<M> w = ExecutorModels.borrow(objective, handle.value());
        Evaluation e = objective.evaluateAll(w.model(), part, maxBatches);
        ExecutorModels.giveBack(w);
        return e;
      }).collect());
      Evaluation total = Evaluation.none(objective.measuresAccuracy());
      for (Evaluation e : scored) { // partition order
        total = total.plus(e);
      }
      return total;
    }
  }
}
