package io.spindle.spark;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.tensor.Blas;
import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * The models executor tasks compute on, built once per executor JVM and reused by later tasks (and steps) of the
 * same model config, so a step does not allocate P parameters, P gradients and the graph's activation arena anew.
 *
 * <p>A pooled model carries no state into a task's result: the task overwrites every weight from the broadcast and
 * zeroes every gradient before its first forward, and the graph's arena holds only scratch buffers that ops
 * overwrite (or zero) before reading. So a retried task, or one that lands on another executor, computes the same
 * bits. A task that fails does not return its model (it is dropped). One model per concurrently running task. The
 * pool holds models of one config (a language model's, a classifier's or a translation model's) at a time; another
 * config empties it.
 */
final class ExecutorModels {
  private static final int MAX_IDLE = 64;
  private static Object pooledConfig;
  private static final ArrayDeque<Workspace<?>> IDLE = new ArrayDeque<>();
  private static int blasThreads;

  private ExecutorModels() {}

  /** A model with zero weights, its flat parameters, its training graph, and the config it was built from. */
  record Workspace<M>(Object config, M model, Parameters parameters, Graph graph) {}

  /** A language model's workspace. */
  static Workspace<Gpt> borrow(GptConfig config) {
    return borrow(config, c -> Gpt.of(c, Gpt.declare(c).build()), Gpt::parameters);
  }

  /** A classifier's workspace. */
  static Workspace<EncoderClassifier> borrow(EncoderConfig config) {
    return borrow(config, c -> EncoderClassifier.of(c, EncoderClassifier.declare(c).build()),
        EncoderClassifier::parameters);
  }

  /** A translation model's workspace. */
  static Workspace<EncoderDecoder> borrow(EncoderDecoderConfig config) {
    return borrow(config, c -> EncoderDecoder.of(c, EncoderDecoder.declare(c).build()), EncoderDecoder::parameters);
  }

  /** A workspace for {@code config}: an idle one if any (dropping the pool if the config changed), else a new one. */
  @SuppressWarnings("unchecked")
  private static <C, M> Workspace<M> borrow(C config, Function<C, M> build, Function<M, Parameters> parameters) {
    synchronized (IDLE) {
      if (!config.equals(pooledConfig)) {
        IDLE.clear();
        pooledConfig = config;
      }
      Workspace<?> w = IDLE.pollFirst();
      if (w != null) {
        return (Workspace<M>) w; // every pooled workspace was built from pooledConfig, hence of type M
      }
    }
    M model = build.apply(config);
    return new Workspace<>(config, model, parameters.apply(model), Graph.training());
  }

  /** Returns a workspace after a successful task. */
  static void giveBack(Workspace<?> w) {
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
