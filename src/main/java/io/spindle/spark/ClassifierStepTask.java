package io.spindle.spark;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.PaddedBatch;
import io.spindle.nn.EncoderClassifier;
import io.spindle.train.GlobalBatch;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of one classifier training step, as {@code treeAggregate}'s sequence operation over a
 * partition's {@link ExampleChunk}: draw the step's global batch ({@link GlobalBatch#examples}, a pure function of
 * seed, step and the example count), keep the examples this chunk holds, pad them into {@code microBatches} groups,
 * run forward and backward of the summed cross-entropy with the broadcast weights, and return the summed gradient,
 * loss and example count.
 *
 * <p>Captures only the weights' broadcast handle and a small {@link Spec}; a retried attempt returns the same bits.
 */
final class ClassifierStepTask implements Function2<GradientSum, ExampleChunk, GradientSum> {
  private static final long serialVersionUID = 1L;
  /** Padded positions are masked out of attention and pooling, so any valid id fills them. */
  private static final int PAD_ID = 0;

  private final Broadcast<float[]> weights;
  private final Spec spec;

  /**
   * What a task needs besides the weights: the model, the step's coordinates ({@code offsets[p]} is the global index
   * of partition p's first example, {@code count} the number of examples) and the options.
   */
  record Spec(EncoderSpec model, long seed, long step, int batchSize, long count, long[] offsets, int microBatches,
      boolean bf16) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  ClassifierStepTask(Broadcast<float[]> weights, Spec spec) {
    this.weights = weights;
    this.spec = spec;
  }

  @Override
  public GradientSum call(GradientSum sum, ExampleChunk chunk) {
    TaskContext context = TaskContext.get();
    if (context != null) {
      ExecutorModels.useBlasThreads(Math.max(1, context.cpus()));
    }
    long[] picks = GlobalBatch.examples(spec.seed(), spec.step(), spec.batchSize(), spec.count());
    long offset = spec.offsets()[chunk.index()];
    int[] mine = GlobalBatch.owned(picks, offset, chunk.size());
    int n = mine.length;
    if (n == 0) {
      return sum;
    }
    ExecutorModels.Workspace<EncoderClassifier> w = ExecutorModels.borrow(spec.model().config());
    Parameters params = w.parameters();
    params.values().copyFrom(weights.value());
    params.zeroGrad();
    Graph g = w.graph();
    double lossSum = 0;
    int groups = Math.min(spec.microBatches(), n);
    for (int m = 0; m < groups; m++) {
      int from = (int) ((long) m * n / groups);
      int to = (int) ((long) (m + 1) * n / groups);
      List<int[]> sequences = new ArrayList<>(to - from);
      int[] labels = new int[to - from];
      for (int i = from; i < to; i++) {
        int local = (int) (picks[mine[i]] - offset);
        sequences.add(chunk.ids()[local]);
        labels[i - from] = chunk.labels()[local];
      }
      PaddedBatch batch = PaddedBatch.pad(sequences, PAD_ID, spec.model().maxLength()); // (B, T)
      g.reset();
      Variable loss = w.model().loss(g, batch, labels, true,
          GlobalBatch.dropoutSeed(spec.seed(), spec.step(), mine[from]), Reduction.SUM);
      lossSum += loss.value().get(0);
      g.backward(loss);
    }
    float[] gradient = params.grads().toArray();
    g.reset();
    ExecutorModels.giveBack(w);
    return sum.mergeInPlace(GradientSum.of(chunk.index(), gradient, lossSum, n, spec.bf16()));
  }
}
