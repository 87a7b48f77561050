package io.spindle.spark;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.nn.Network;
import io.spindle.tensor.Blas;
import io.spindle.train.Objective;
import java.io.Serializable;
import java.util.ArrayDeque;

/**
 * The models executor tasks compute on, built once per executor JVM and reused by later tasks (and steps) of the
 * same model config, so a step does not allocate P parameters, P gradients and the graph's activation arena anew.
 *
 * <p>A pooled model carries no state into a task's result: the task overwrites every weight from the broadcast and
 * zeroes every gradient before its first forward, and the graph's arena holds only scratch buffers that ops
 * overwrite (or zero) before reading. So a retried task, or one that lands on another executor, computes the same
 * bits. A task that fails does not return its model (it is dropped). One model per concurrently running task; a
 * training task's model returns when Spark has written its result ({@link LentGradient}), not when the task ends. The
 * pool holds models of one config (of any family) at a time; another config empties it.
 */
final class ExecutorModels {
  private static final int MAX_IDLE = 64;
  private static Serializable pooledConfig;
  private static final ArrayDeque<Workspace<?>> IDLE = new ArrayDeque<>();
  private static int blasThreads;

  private ExecutorModels() {}

  /** A model with zero weights, its flat parameters, its training graph, and the config it was built from. */
  record Workspace<M extends Network<?>>(Serializable config, M model, Parameters parameters, Graph graph) {}

  /**
   * A workspace for {@code objective}'s model, its weights set to {@code weights} and its gradients zeroed: an idle
   * one if any (dropping the pool if the config changed), else a new one.
   */
  @SuppressWarnings("unchecked")
  static <M extends Network<?>> Workspace<M> borrow(Objective<M, ?> objective, FlatWeights weights) {
    Serializable config = objective.config();
    Workspace<M> w = null;
    synchronized (IDLE) {
      if (!config.equals(pooledConfig)) {
        IDLE.clear();
        pooledConfig = config;
      }
      w = (Workspace<M>) IDLE.pollFirst(); // every pooled workspace was built from pooledConfig, hence of type M
    }
    if (w == null) {
      M model = objective.build();
      w = new Workspace<>(config, model, model.parameters(), Graph.training());
    }
    weights.copyInto(w.parameters().values());
    w.parameters().zeroGrad();
    return w;
  }

  /** Returns a workspace after a successful task. */
  static void giveBack(Workspace<?> w) {
    w.graph().reset();
    synchronized (IDLE) {
      if (w.config().equals(pooledConfig) && IDLE.size() < MAX_IDLE) {
        IDLE.addFirst(w);
      }
    }
  }

  /** Sets this JVM's BLAS threads to the cores each task may use (spark.task.cpus), only when that changes. */
  static void useBlasThreads(int threads) {
    synchronized (IDLE) {
      if (threads != blasThreads) {
        Blas.get().setThreads(threads);
        blasThreads = threads;
      }
    }
  }
}
