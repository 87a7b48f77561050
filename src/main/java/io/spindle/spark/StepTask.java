package io.spindle.spark;

import io.spindle.nn.Network;
import io.spindle.train.BatchGradient;
import io.spindle.train.CanonicalSum;
import io.spindle.train.DataPart;
import io.spindle.train.Objective;
import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The executor side of one training step, for every model family, as {@code treeAggregate}'s sequence operation over
 * a partition's part of the data: take the draws of the step's global batch that the part holds
 * ({@link Objective#owned}, a pure function of the seed, the step and the data's layout), run forward and backward
 * over them in {@code microBatches} groups with the broadcast weights ({@link Objective#accumulateInGroups}) or, in
 * deterministic mode, one by one as leaves of a {@link CanonicalSum} ({@link Objective#accumulateDraws}), and
 * return the summed gradient, loss and count, adding the count and loss to the named accumulators the Spark UI shows.
 *
 * <p>Captures only the weights' broadcast handle, the objective and the small {@link Step}; the gradient depends on
 * nothing else, so a retried attempt returns the same bits.
 */
final class StepTask<M extends Network<?>, D extends DataPart> implements Function2<GradientSum, D, GradientSum> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<FlatWeights> weights;
  private final Objective<M, D> objective;
  private final Step step;

  /**
   * What a task needs besides the weights and the objective: the step (0-based), the options, the accumulators, and
   * a test hook (the part whose first attempt at step {@code failStep} fails, or -1).
   */
  record Step(long step, int microBatches, boolean bf16, boolean deterministic, long failStep, int failPart,
      LongAccumulator counted, DoubleAccumulator lossSum) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  StepTask(Broadcast<FlatWeights> weights, Objective<M, D> objective, Step step) {
    this.weights = weights;
    this.objective = objective;
    this.step = step;
  }

  @Override
  public GradientSum call(GradientSum sum, D part) {
    TaskContext context = TaskContext.get();
    if (context != null) {
      ExecutorModels.useBlasThreads(Math.max(1, context.cpus()));
    }
    int[] mine = objective.owned(part, step.step());
    if (mine.length == 0) {
      failIfInjected(context, part);
      return sum;
    }
    ExecutorModels.Workspace<M> w = ExecutorModels.borrow(objective, weights.value());
    GradientSum mineSummed;
    if (step.deterministic()) {
      CanonicalSum leaves = objective.accumulateDraws(w.model(), w.graph(), part, step.step(), mine, 0, mine.length,
          new CanonicalSum(objective.batchSize()));
      mineSummed = GradientSum.of(leaves, weights.id());
      double loss = 0;
      for (CanonicalSum.Node n : leaves.nodes()) {
        loss += n.lossSum();
      }
      step.lossSum().add(loss);
    } else {
      BatchGradient.Result total = objective.accumulateInGroups(w.model(), w.graph(), part, step.step(), mine, 0,
          mine.length, step.microBatches());
      // No copy: the gradient stays in the workspace's buffer, and the workspace out of the pool, until Spark
      // writes the task result (LentGradient).
      mineSummed = GradientSum.of(part.index(), new LentGradient(w.parameters().grads(),
          () -> ExecutorModels.giveBack(w)), total.lossSum(), total.tokens(), total.sums(), step.bf16(),
          weights.id());
      step.lossSum().add(total.lossSum());
    }
    failIfInjected(context, part);
    if (step.deterministic()) {
      ExecutorModels.giveBack(w); // the canonical sum holds copies of the draws' gradients
    }
    step.counted().add(mineSummed.tokens());
    return sum.mergeInPlace(mineSummed);
  }

  /** The test hook: the first attempt of the chosen part's task at the chosen step throws, after its work. */
  private void failIfInjected(TaskContext context, D part) {
    if (context != null && step.step() == step.failStep() && part.index() == step.failPart()
        && context.attemptNumber() == 0) {
      throw new IllegalStateException("injected failure: part " + part.index() + ", step " + (step.step() + 1)
          + ", attempt 0");
    }
  }
}
