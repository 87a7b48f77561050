package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;

/**
 * The unit of work every trainer shares: the summed next-token loss of one batch and its gradient, added to the
 * model's flat gradient buffer.
 *
 * <p>Summing (not averaging) lets gradients from several micro-batches, threads or Spark tasks be added up and
 * divided once by the global token count, so the result does not depend on how the global batch was split.
 */
public final class BatchGradient {
  private BatchGradient() {}

  /** Loss summed over the counted target tokens, and how many there were. */
  public record Result(double lossSum, long tokens) {
    public Result plus(Result other) {
      return new Result(lossSum + other.lossSum, tokens + other.tokens);
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
