package io.spindle.spark;

import io.spindle.autograd.Graph;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.tensor.Blas;
import java.util.ArrayDeque;

/**
 * The models executor tasks compute on, built once per executor JVM and reused by later tasks (and steps) of the
 * same model config, so a step does not allocate P parameters, P gradients and the graph's activation arena anew.
 *
 * <p>A pooled model carries no state into a task's result: the task overwrites every weight from the broadcast and
 * zeroes every gradient before its first forward, and the graph's arena holds only scratch buffers that ops
 * overwrite (or zero) before reading. So a retried task, or one that lands on another executor, computes the same
 * bits. A task that fails does not return its model (it is dropped). One model per concurrently running task.
 */
final class ExecutorModels {
  private static final int MAX_IDLE = 64;
  private static GptConfig pooledConfig;
  private static final ArrayDeque<Workspace> IDLE = new ArrayDeque<>();
  private static int blasThreads;

  private ExecutorModels() {}

  /** A model with zero weights and its training graph. */
  record Workspace(Gpt model, Graph graph) {}

  /** A workspace for {@code config}: an idle one if any (dropping the pool if the config changed), else a new one. */
  static Workspace borrow(GptConfig config) {
    synchronized (IDLE) {
      if (!config.equals(pooledConfig)) {
        IDLE.clear();
        pooledConfig = config;
      }
      Workspace w = IDLE.pollFirst();
      if (w != null) {
        return w;
      }
    }
    return new Workspace(Gpt.of(config, Gpt.declare(config).build()), Graph.training());
  }

  /** Returns a workspace after a successful task. */
  static void giveBack(Workspace w) {
    synchronized (IDLE) {
      if (w.model().config().equals(pooledConfig) && IDLE.size() < MAX_IDLE) {
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
