package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.nn.Network;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Parallel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;

/**
 * Data parallelism inside one JVM: the Spark trainer's scheme, on threads, for any model family. A step's draws are
 * split into {@code threads} contiguous shards; each shard runs forward and backward ({@link
 * Objective#accumulateInGroups}, in micro-batches) on its own replica of the model (the same weights, its own
 * gradient buffer and graph) on its own thread, and the shard gradients are then added into the model's gradient
 * buffer in shard order.
 *
 * <p>Why not threaded BLAS instead: every op of the step, not only the matrix products, runs in parallel, and each
 * thread's products keep the full batch's row count halved rather than split into bands per call, so there is no
 * synchronisation inside the step at all. On 2 cores this is the faster of the two (docs/benchmarks.md).
 *
 * <p>Shard 0 runs on the calling thread against the model itself; shards 1.. run on worker threads against replicas
 * whose weights are copied from the model at the start of each call, so an optimizer step between calls is always
 * seen. While in use, BLAS runs single-threaded per call (the threads here are the parallelism); {@link #close()}
 * restores the previous BLAS thread count and stops the workers.
 *
 * <p>Results are deterministic for a given thread count. Across thread counts they agree to float rounding only:
 * the shards' gradients, and the weight gradients' sums over rows inside each shard, are added in a different
 * order. With one thread this class adds nothing: the model runs every draw on the caller's thread, exactly as a
 * Spark task holding all the data does.
 */
public final class LocalReplicas<M extends Network<?>, D> implements AutoCloseable {
  private final Objective<M, D> objective;
  private final List<M> replicas; // [0] is the model itself
  private final Graph[] graphs;
  private final ExecutorService workers;
  private final int savedBlasThreads;

  /** Replicas of {@code model} for {@code threads} threads (>= 1). */
  public LocalReplicas(Objective<M, D> objective, M model, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("LocalReplicas: threads must be >= 1, got " + threads);
    }
    this.objective = objective;
    this.replicas = new ArrayList<>(threads);
    this.graphs = new Graph[threads];
    for (int r = 0; r < threads; r++) {
      replicas.add(r == 0 ? model : objective.build());
      graphs[r] = Graph.training();
    }
    if (threads > 1) {
      savedBlasThreads = Blas.get().threads();
      Blas.get().setThreads(1);
      workers = Executors.newFixedThreadPool(threads - 1, runnable -> {
        Thread t = new Thread(runnable, "spindle-replica");
        t.setDaemon(true);
        return t;
      });
    } else {
      savedBlasThreads = -1;
      workers = null;
    }
  }

  public int threads() {
    return replicas.size();
  }

  /**
   * Forward and backward of the draws {@code owned} of step {@code step} over {@code part}, split into
   * {@link #threads()} shards of consecutive draws and each shard into {@code microBatches} groups; the gradient of
   * the summed loss is added to the model's gradient buffer.
   */
  public BatchGradient.Result accumulate(D part, long step, int[] owned, int microBatches) {
    int n = owned.length;
    int shards = Math.min(replicas.size(), n);
    M model = replicas.get(0);
    if (shards <= 1) {
      return objective.accumulateInGroups(model, graphs[0], part, step, owned, 0, n, microBatches);
    }
    syncWeights(shards);
    BatchGradient.Result[] results = new BatchGradient.Result[shards];
    runShards(shards, s -> {
      int from = (int) ((long) s * n / shards);
      int to = (int) ((long) (s + 1) * n / shards);
      results[s] = objective.accumulateInGroups(replicas.get(s), graphs[s], part, step, owned, from, to,
          microBatches);
    });
    BatchGradient.Result total = results[0];
    for (int s = 1; s < shards; s++) {
      model.parameters().grads().addInPlace(replicas.get(s).parameters().grads());
      replicas.get(s).parameters().zeroGrad();
      total = total.plus(results[s]);
    }
    return total;
  }

  /**
   * Like {@link #accumulate}, but each draw's gradient computed on its own and the draws summed along the canonical
   * tree ({@link CanonicalSum}, over a global batch of {@code batchSize} draws), shard subtrees merged: the result is
   * the same bits for any thread count, and equals a Spark run's of any partitioning. The model's gradient buffer
   * ends holding the sum.
   */
  public BatchGradient.Result accumulateCanonically(D part, long step, int[] owned, int batchSize) {
    int n = owned.length;
    int shards = Math.max(1, Math.min(replicas.size(), n));
    syncWeights(shards);
    CanonicalSum[] sums = new CanonicalSum[shards];
    runShards(shards, s -> {
      int from = (int) ((long) s * n / shards);
      int to = (int) ((long) (s + 1) * n / shards);
      sums[s] = objective.accumulateDraws(replicas.get(s), graphs[s], part, step, owned, from, to,
          new CanonicalSum(batchSize));
    });
    for (int s = 1; s < shards; s++) {
      sums[0].merge(sums[s]);
    }
    CanonicalSum.Node root = sums[0].root();
    replicas.get(0).parameters().grads().copyFrom(root.gradient());
    return new BatchGradient.Result(root.lossSum(), sums[0].count(), root.sums());
  }

  /**
   * The model scored on evaluation batches {@code 0 .. min(n, maxBatches) - 1} of {@code part} (all when
   * {@code maxBatches} is 0), the batches spread over the threads and summed in batch order, so the result equals
   * {@link Objective#evaluateAll} on one thread bit for bit.
   */
  public Evaluation evaluate(D part, int maxBatches) {
    int all = objective.evaluationBatches(part);
    int batches = maxBatches > 0 ? Math.min(all, maxBatches) : all;
    int n = Math.min(replicas.size(), batches);
    if (n <= 1) {
      return objective.evaluateAll(replicas.get(0), part, maxBatches);
    }
    syncWeights(n);
    Evaluation[] results = new Evaluation[batches];
    runShards(n, s -> {
      for (int i = s; i < batches; i += n) {
        results[i] = objective.evaluate(replicas.get(s), part, i);
      }
    });
    Evaluation total = Evaluation.none(objective.measuresAccuracy());
    for (Evaluation r : results) {
      total = total.plus(r);
    }
    return total;
  }

  @Override
  public void close() {
    if (workers != null) {
      workers.shutdownNow();
      Blas.get().setThreads(savedBlasThreads);
    }
  }

  private void syncWeights(int shards) {
    for (int s = 1; s < shards; s++) {
      replicas.get(s).parameters().values().copyFrom(replicas.get(0).parameters().values());
    }
  }

  /** Runs shards 1.. on the workers and shard 0 here; rethrows the first failure once all have finished. */
  private void runShards(int shards, IntConsumer shard) {
    Parallel.runAll(workers, shards, shard, "LocalReplicas: interrupted while waiting for a shard");
  }
}
