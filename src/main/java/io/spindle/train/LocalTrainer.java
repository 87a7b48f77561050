package io.spindle.train;

import io.spindle.nn.Network;
import io.spindle.optim.Optimizer;
import java.io.IOException;

/**
 * Trains any model family in this JVM: the laptop experience, and the reference the Spark trainer reproduces. The
 * step is {@link TrainingLoop}'s, the global batch the {@link Objective}'s over the whole training data held as one
 * part; forward and backward run on {@code threads} threads, each on its share of the draws ({@link LocalReplicas}).
 * With one thread and the same micro-batches it computes exactly the bits of a Spark run with one partition.
 *
 * <p>Validation, early stopping and the non-finite policy are the loop's; checkpoints are the Spark trainer's (an
 * in-process run is one process's lifetime).
 */
public final class LocalTrainer<M extends Network<?>, D> {
  private final Objective<M, D> objective;
  private final M model;
  private final TrainingLoop loop;
  private final int threads;

  /** A trainer of {@code model} that splits each step's draws over {@code threads} threads (>= 1). */
  public LocalTrainer(Objective<M, D> objective, M model, TrainingConfig config, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("LocalTrainer: threads must be >= 1, got " + threads);
    }
    this.objective = objective;
    this.model = model;
    this.loop = new TrainingLoop(model.parameters(), config);
    this.threads = threads;
  }

  public Optimizer optimizer() {
    return loop.optimizer();
  }

  /**
   * Trains on {@code data} (all of it, as one part), evaluating {@code validation} (null for none) as {@code policy}
   * says; returns the run's progress.
   */
  public TrainingProgress train(D data, D validation, ValidationPolicy policy, StepListener listener)
      throws IOException {
    int microBatches = loop.config().microBatches();
    try (LocalReplicas<M, D> replicas = new LocalReplicas<>(objective, model, threads)) {
      boolean deterministic = loop.config().deterministic();
      TrainingLoop.GradientSource source = step -> {
        int[] owned = objective.owned(data, step);
        BatchGradient.Result r = deterministic
            ? replicas.accumulateCanonically(data, step, owned, objective.batchSize())
            : replicas.accumulate(data, step, owned, microBatches);
        objective.checkTotal(step, r);
        return r;
      };
      TrainingLoop.Validation validate = validation == null ? null
          : full -> replicas.evaluate(validation, full ? 0 : policy.maxBatches());
      return loop.run(new TrainingProgress(validation == null ? null : policy), source, validate, listener);
    }
  }
}
