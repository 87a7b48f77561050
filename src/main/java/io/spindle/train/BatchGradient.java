package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The unit of work every trainer shares: the summed next-token loss of one batch and its gradient, added to the
 * model's flat gradient buffer.
 *
 * <p>Summing (not averaging) lets gradients from several micro-batches, threads or Spark tasks be added up and
 * divided once by the global token count, so the result does not depend on how the global batch was split.
 */
public final class BatchGradient {
  private BatchGradient() {}

  /**
   * Loss summed over the counted target tokens (or examples, completions: the objective's count unit), how many there
   * were, and the further named sums an objective reports besides the loss ({@code sums}, empty for the supervised
   * families): statistics such as a reinforcement-learning step's summed reward, added up exactly like the loss (over
   * micro-batches, threads and Spark tasks, in a fixed order) so that {@link Objective#metrics} can turn the global
   * batch's totals into a step's extra metrics.
   */
  public record Result(double lossSum, long tokens, Map<String, Double> sums) {
    /** Keeps {@code sums} as an unmodifiable copy iterating in name order. */
    public Result {
      sums = sums.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sums));
    }

    /** A result with no further sums. */
    public Result(double lossSum, long tokens) {
      this(lossSum, tokens, Map.of());
    }

    /** Both results added: loss, count, and each named sum (a name only one side has counts as 0 on the other). */
    public Result plus(Result other) {
      if (other.sums.isEmpty() && sums.isEmpty()) {
        return new Result(lossSum + other.lossSum, tokens + other.tokens);
      }
      Map<String, Double> added = new TreeMap<>(sums);
      other.sums.forEach((name, value) -> added.merge(name, value, Double::sum));
      return new Result(lossSum + other.lossSum, tokens + other.tokens, added);
    }

    /** The named sum {@code name}, 0 if this result has none. */
    public double sum(String name) {
      return sums.getOrDefault(name, 0.0);
    }

    /** Mean loss per token (NaN when no tokens). */
    public double meanLoss() {
      return lossSum / tokens;
    }
  }

  /**
   * Forward and backward of {@code batch} on {@code g} (reset first, so its buffers are reused); the gradient of the
   * summed loss is added to {@code model.parameters().grads()}. Dropout, if configured, uses masks from {@code seed}.
   */
  public static Result accumulate(Gpt model, Graph g, Batch batch, long seed) {
    g.reset();
    Variable loss = model.loss(g, batch.inputs(), batch.targets(), batch.batch(), batch.time(), true, seed,
        Reduction.SUM);
    double sum = loss.value().get(0);
    g.backward(loss);
    return new Result(sum, batch.targetCount());
  }

  /** The summed loss of {@code batch} without gradients (no graph is recorded, dropout off). */
  public static Result evaluate(Gpt model, Batch batch) {
    Variable loss = model.loss(Graph.inference(), batch.inputs(), batch.targets(), batch.batch(), batch.time(),
        false, 0L, Reduction.SUM);
    return new Result(loss.value().get(0), batch.targetCount());
  }

  /** The summed loss over {@code batches}, in inference mode. */
  public static Result evaluate(Gpt model, Iterable<Batch> batches) {
    Result total = new Result(0, 0);
    for (Batch b : batches) {
      total = total.plus(evaluate(model, b));
    }
    return total;
  }
}
