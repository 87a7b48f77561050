package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.tensor.Blas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntToLongFunction;

/**
 * Data parallelism inside one JVM: the Spark trainer's scheme, on threads. A batch's rows are split into
 * {@code threads} contiguous shards; each shard runs forward and backward on its own replica of the model (the same
 * weights, its own gradient buffer and graph) on its own thread, and the shard gradients are then added into the
 * model's gradient buffer in shard order.
 *
 * <p>Why not threaded BLAS instead: every op of the step, not only the matrix products, runs in parallel, and each
 * thread's products keep the full batch's row count halved rather than split into bands per call, so there is no
 * synchronisation inside the step at all. On 2 cores this is the faster of the two for both benchmark configs (see
 * the README's Benchmarks section).
 *
 * <p>Shard 0 runs on the calling thread against the model itself; shards 1.. run on worker threads against replicas
 * whose weights are copied from the model at the start of each call, so an optimizer step between calls is always
 * seen. While in use, BLAS runs single-threaded per call (the threads here are the parallelism); {@link #close()}
 * restores the previous BLAS thread count and stops the workers.
 *
 * <p>Results are deterministic for a given thread count. Across thread counts they agree to float rounding only:
 * the shards' gradients, and the weight gradients' sums over rows inside each shard, are added in a different
 * order. With one thread this class adds nothing: the model runs the whole batch on the caller's thread.
 */
public final class LocalReplicas implements AutoCloseable {
  private final Gpt model;
  private final Gpt[] replicas; // [0] is the model itself
  private final Graph[] graphs;
  private final ExecutorService workers;
  private final int savedBlasThreads;

  /** Replicas of {@code model} for {@code threads} threads (>= 1). */
  public LocalReplicas(Gpt model, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("LocalReplicas: threads must be >= 1, got " + threads);
    }
    this.model = model;
    this.replicas = new Gpt[threads];
    this.graphs = new Graph[threads];
    replicas[0] = model;
    for (int r = 0; r < threads; r++) {
      if (r > 0) {
        replicas[r] = Gpt.of(model.config(), Gpt.declare(model.config()).build());
      }
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
    return replicas.length;
  }

  /**
   * Forward and backward of {@code batch}, split by rows into {@link #threads()} shards; the gradient of the summed
   * loss is added to the model's gradient buffer. Shard s covers rows {@code [s B / n, (s + 1) B / n)} and draws its
   * dropout masks from {@code dropoutSeed.applyAsLong(firstRow)}; a batch of fewer rows than threads uses fewer
   * shards.
   */
  public BatchGradient.Result accumulate(Batch batch, IntToLongFunction dropoutSeed) {
    int shards = Math.min(replicas.length, batch.batch());
    if (shards == 1) {
      return BatchGradient.accumulate(model, graphs[0], batch, dropoutSeed.applyAsLong(0));
    }
    syncWeights(shards);
    BatchGradient.Result[] results = new BatchGradient.Result[shards];
    runShards(shards, s -> {
      int from = (int) ((long) s * batch.batch() / shards);
      int to = (int) ((long) (s + 1) * batch.batch() / shards);
      results[s] = BatchGradient.accumulate(replicas[s], graphs[s], rows(batch, from, to),
          dropoutSeed.applyAsLong(from));
    });
    BatchGradient.Result total = results[0];
    for (int s = 1; s < shards; s++) {
      model.parameters().grads().addInPlace(replicas[s].parameters().grads());
      replicas[s].parameters().zeroGrad();
      total = total.plus(results[s]);
    }
    return total;
  }

  /**
   * The summed loss over {@code batches} in inference mode, the batches spread over the threads. The sum is taken
   * in batch order, so it equals {@link BatchGradient#evaluate(Gpt, Iterable)} bit for bit.
   */
  public BatchGradient.Result evaluate(List<Batch> batches) {
    int n = Math.min(replicas.length, batches.size());
    if (n <= 1) {
      return BatchGradient.evaluate(model, batches);
    }
    syncWeights(n);
    BatchGradient.Result[] results = new BatchGradient.Result[batches.size()];
    runShards(n, s -> {
      for (int i = s; i < batches.size(); i += n) {
        results[i] = BatchGradient.evaluate(replicas[s], batches.get(i));
      }
    });
    BatchGradient.Result total = new BatchGradient.Result(0, 0);
    for (BatchGradient.Result r : results) {
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
      replicas[s].parameters().values().copyFrom(model.parameters().values());
    }
  }

  @FunctionalInterface
  private interface Shard {
    void run(int shard);
  }

  /** Runs shards 1.. on the workers and shard 0 here; rethrows the first failure once all have finished. */
  private void runShards(int shards, Shard shard) {
    List<Future<?>> pending = new ArrayList<>(shards - 1);
    for (int s = 1; s < shards; s++) {
      int index = s;
      pending.add(workers.submit(() -> shard.run(index)));
    }
    RuntimeException failure = null;
    try {
      shard.run(0);
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> f : pending) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) {
          failure = new IllegalStateException("LocalReplicas: interrupted while waiting for a shard", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Rows [from, to) of a batch. */
  private static Batch rows(Batch batch, int from, int to) {
    int t = batch.time();
    return new Batch(Arrays.copyOfRange(batch.inputs(), from * t, to * t),
        Arrays.copyOfRange(batch.targets(), from * t, to * t), to - from, t);
  }
}
