package io.spindle.spark;

import io.spindle.autograd.Parameters;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.train.BatchGradient;
import io.spindle.train.GlobalBatch;
import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The executor side of one training step, as {@code treeAggregate}'s sequence operation over a partition's single
 * {@link TokenChunk}: draw the step's global batch ({@link GlobalBatch}, a pure function of seed, step and window
 * index), keep the windows this chunk owns, run forward and backward over them in {@code microBatches} groups with
 * the broadcast weights, and return the summed gradient, loss and token count.
 *
 * <p>Captures only the weights' broadcast handle and a small {@link Spec}; the gradient depends on nothing else, so
 * a retried attempt returns the same bits.
 */
final class StepTask implements Function2<GradientSum, TokenChunk, GradientSum> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<float[]> weights;
  private final Spec spec;

  /**
   * What a task needs besides the weights: the model config (as plain values), the step's coordinates, the options,
   * the accumulators the Spark UI shows, and a test hook (a chunk whose first attempt at a step fails, or -1).
   */
  record Spec(int vocabSize, int blockSize, int numLayers, int numHeads, int embedDim, double dropout, boolean bias,
      long seed, long step, int batchSize, long streamLength, int microBatches, boolean bf16, long failStep,
      int failChunk, LongAccumulator tokenCounter, DoubleAccumulator lossCounter) implements Serializable {

    static Spec of(GptConfig c, long seed, long step, int batchSize, long streamLength, int microBatches,
        boolean bf16, long failStep, int failChunk, LongAccumulator tokens, DoubleAccumulator loss) {
      return new Spec(c.vocabSize(), c.blockSize(), c.numLayers(), c.numHeads(), c.embedDim(), c.dropout(), c.bias(),
          seed, step, batchSize, streamLength, microBatches, bf16, failStep, failChunk, tokens, loss);
    }

    GptConfig config() {
      return new GptConfig(vocabSize, blockSize, numLayers, numHeads, embedDim, dropout, bias);
    }
  }

  StepTask(Broadcast<float[]> weights, Spec spec) {
    this.weights = weights;
    this.spec = spec;
  }

  @Override
  public GradientSum call(GradientSum sum, TokenChunk chunk) {
    TaskContext context = TaskContext.get();
    if (context != null) {
      ExecutorModels.useBlasThreads(Math.max(1, context.cpus()));
    }
    int blockSize = spec.blockSize();
    long[] starts = GlobalBatch.starts(spec.seed(), spec.step(), spec.batchSize(), spec.streamLength(), blockSize);
    int[] mine = chunk.ownedWindows(starts);
    if (mine.length == 0) {
      failIfInjected(context, chunk);
      return sum;
    }
    ExecutorModels.Workspace<Gpt> w = ExecutorModels.borrow(spec.config());
    Parameters params = w.parameters();
    params.values().copyFrom(weights.value());
    params.zeroGrad();
    BatchGradient.Result total = new BatchGradient.Result(0, 0);
    int groups = Math.min(spec.microBatches(), mine.length);
    for (int m = 0; m < groups; m++) {
      int from = (int) ((long) m * mine.length / groups);
      int to = (int) ((long) (m + 1) * mine.length / groups);
      Batch batch = GlobalBatch.gather(chunk.tokens(), chunk.offset(), starts, mine, from, to, blockSize);
      long dropoutSeed = GlobalBatch.dropoutSeed(spec.seed(), spec.step(), mine[from]);
      total = total.plus(BatchGradient.accumulate(w.model(), w.graph(), batch, dropoutSeed));
    }
    float[] gradient = params.grads().toArray();
    w.graph().reset();
    failIfInjected(context, chunk);
    ExecutorModels.giveBack(w);
    spec.tokenCounter().add(total.tokens());
    spec.lossCounter().add(total.lossSum());
    return sum.mergeInPlace(GradientSum.of(chunk.index(), gradient, total.lossSum(), total.tokens(), spec.bf16()));
  }

  /** The test hook: the first attempt of the chosen chunk's task at the chosen step throws, after its work. */
  private void failIfInjected(TaskContext context, TokenChunk chunk) {
    if (context != null && spec.step() == spec.failStep() && chunk.index() == spec.failChunk()
        && context.attemptNumber() == 0) {
      throw new IllegalStateException("injected failure: chunk " + chunk.index() + ", step " + (spec.step() + 1)
          + ", attempt 0");
    }
  }
}
