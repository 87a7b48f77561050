package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import java.io.Serializable;
import java.util.Map;

/**
 * A model family as every trainer sees it, written once per family: its model (a {@link ModelFormat} and a config,
 * from which any thread or Spark executor builds a replica), which items of the data make a step's global batch, and
 * the summed loss and gradient of a group of them. {@link LocalTrainer} (threads in this JVM) and the Spark trainer
 * run the same objective, so a capability of the trainers (checkpoints, validation, micro-batches, compressed
 * gradients) holds for every family.
 *
 * <p>The training data is cut into <em>parts</em> of type {@code D} (a Spark partition's chunk; a trainer in this JVM
 * holds all of it as one part). The global batch of step s is a pure function of the seed, s and the data's global
 * layout (which the objective holds), not of how the data is cut: each part computes the indices j of the draws it
 * owns ({@link #owned}), and the union over parts is every draw once. Summing losses (not averaging) lets the parts'
 * gradients be added up and divided once by the global count.
 *
 * <p>Objectives are small immutable values (a config and a few numbers) that travel in Spark closures; they never
 * hold data or a model.
 *
 * @param <M> the model
 * @param <D> a part of the training data
 */
public interface Objective<M extends Network<?>, D> extends Serializable {
  /** How the family's model is built and saved. */
  ModelFormat<? extends Serializable, M> format();

  /** The model's config; equal configs mean interchangeable models, so executors pool replicas by it. */
  Serializable config();

  /** A model of {@link #config()} with zero weights, to be overwritten with the current ones; the format builds it. */
  default M build() {
    return build(format(), config());
  }

  @SuppressWarnings("unchecked") // config() is a config of format()'s models, as the two methods state
  private static <C extends Serializable, M extends Network<?>> M build(ModelFormat<C, M> format, Serializable config) {
    return format.build((C) config);
  }

  /** The global batch's size B: windows, examples or pairs per step. */
  int batchSize();

  /** What the data's size counts: "tokens" (of a stream), "examples", "pairs". */
  String dataUnit();

  /** What a step's loss is summed over and divided by: "tokens", "examples", "target tokens". */
  String countUnit();

  /** The indices j (ascending) of the draws of step {@code step}'s global batch that {@code part} holds. */
  int[] owned(D part, long step);

  /**
   * Forward and backward of draws {@code owned[from .. to-1]} of step {@code step} as one batch on {@code graph}
   * (reset first), with training-mode dropout seeded by {@code GlobalBatch.dropoutSeed(seed, step, owned[from])};
   * adds the gradient of the summed loss into {@code model.parameters().grads()} and returns the loss sum and the
   * count it is over (target tokens or examples).
   */
  BatchGradient.Result accumulate(M model, Graph graph, D part, long step, int[] owned, int from, int to);

  /**
   * Throws {@link IllegalStateException} if {@code total}, the sum over every part of step {@code step}, cannot be
   * the whole global batch (a part lost or counted twice).
   */
  void checkTotal(long step, BatchGradient.Result total);

  /** {@link #checkTotal} of an objective whose step counts exactly {@code expected} {@code unit}. */
  static void requireCount(long step, BatchGradient.Result total, long expected, String unit) {
    if (total.tokens() != expected) {
      throw new IllegalStateException("step " + (step + 1) + ": the tasks summed " + total.tokens() + " " + unit
          + ", expected " + expected);
    }
  }

  /**
   * The extra metrics of a step (reported in {@link StepMetrics#extra()} and {@code metrics.jsonl}) from the total of
   * its global batch, {@code total}, whose named sums ({@link BatchGradient.Result#sums()}) the objective's
   * {@link #accumulate} reported: a mean reward is a summed reward over a count, say. None by default.
   */
  default Map<String, Double> metrics(BatchGradient.Result total) {
    return Map.of();
  }

  /**
   * The objective's own settings that a checkpoint must share with a run to be resumed by it, beyond the model
   * config, the {@link TrainingConfig} and the data sizes the trainer compares anyway (a reinforcement-learning
   * objective's samples per prompt and reward, say). None by default.
   */
  default Map<String, String> checkpointSettings() {
    return Map.of();
  }

  /** How many evaluation batches {@code part} of validation data makes. */
  int evaluationBatches(D part);

  /** Evaluation batch {@code batch} of {@code part} scored by {@code model} in inference mode (no dropout). */
  Evaluation evaluate(M model, D part, int batch);

  /** Whether {@link #evaluate} counts correct predictions (an accuracy), or leaves them at -1 (the default). */
  default boolean measuresAccuracy() {
    return false;
  }

  /**
   * {@link #accumulate} over draws {@code owned[from .. to-1]} cut into {@code groups} consecutive micro-batches
   * (at most one per draw), one forward and backward each, gradients adding up. What a Spark task does with its
   * draws, and each thread of a trainer in this JVM with its shard.
   */
  default BatchGradient.Result accumulateInGroups(M model, Graph graph, D part, long step, int[] owned, int from,
      int to, int groups) {
    int n = to - from;
    int g = Math.min(groups, n);
    BatchGradient.Result total = new BatchGradient.Result(0, 0);
    for (int m = 0; m < g; m++) {
      int a = from + (int) ((long) m * n / g);
      int b = from + (int) ((long) (m + 1) * n / g);
      total = total.plus(accumulate(model, graph, part, step, owned, a, b));
    }
    return total;
  }

  /**
   * The leaf of each draw j of step {@code step} in the canonical tree of {@link #accumulateDraws}. Any fixed
   * permutation gives partition-independent sums; one in data order (a partition's draws a contiguous range of
   * leaves) keeps a partition's partial sum to a few subtrees on the wire. The default, the draw index itself, is in
   * data order when the draws are (stratified window starts, say).
   */
  default int[] leaves(long step) {
    return GlobalBatch.all(batchSize());
  }

  /**
   * Adds draws {@code owned[from .. to-1]} to {@code into} as leaves ({@link #leaves}), each draw's gradient from a forward and backward
   * of its own (the model's gradient buffer is zeroed before each and left holding the last), for a sum whose bits do
   * not depend on how the draws were split ({@link CanonicalSum}). Returns {@code into}.
   */
  default CanonicalSum accumulateDraws(M model, Graph graph, D part, long step, int[] owned, int from, int to,
      CanonicalSum into) {
    int[] leaves = leaves(step);
    for (int i = from; i < to; i++) {
      model.parameters().zeroGrad();
      BatchGradient.Result r = accumulate(model, graph, part, step, owned, i, i + 1);
      into.addLeaf(leaves[owned[i]], model.parameters().grads().toArray(), r.lossSum(), r.tokens(), r.sums());
    }
    return into;
  }

  /**
   * Evaluation batches {@code 0 .. min(n, maxBatches) - 1} of {@code part} (all of them when {@code maxBatches} is
   * 0), summed in batch order.
   */
  default Evaluation evaluateAll(M model, D part, int maxBatches) {
    int n = evaluationBatches(part);
    int batches = maxBatches > 0 ? Math.min(n, maxBatches) : n;
    Evaluation total = Evaluation.none(measuresAccuracy());
    for (int b = 0; b < batches; b++) {
      total = total.plus(evaluate(model, part, b));
    }
    return total;
  }
}
