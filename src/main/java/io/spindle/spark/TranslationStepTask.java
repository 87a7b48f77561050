package io.spindle.spark;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.TranslationBatch;
import io.spindle.nn.EncoderDecoder;
import io.spindle.train.GlobalBatch;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of one translation training step, as {@code treeAggregate}'s sequence operation over a
 * partition's {@link PairChunk}: draw the step's global batch ({@link GlobalBatch#examples}, a pure function of
 * seed, step and the pair count), keep the pairs this chunk holds ({@link GlobalBatch#owned}), build
 * {@code microBatches} teacher-forced {@link TranslationBatch}es of them, run forward and backward of the
 * label-smoothed cross-entropy summed over target tokens with the broadcast weights, and return the summed gradient,
 * loss and target-token count (the driver divides by the global count: a per-target-token mean).
 *
 * <p>Captures only the weights' broadcast handle and a small {@link Spec}; a retried attempt returns the same bits.
 */
final class TranslationStepTask implements Function2<GradientSum, PairChunk, GradientSum> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<float[]> weights;
  private final Spec spec;

  /**
   * What a task needs besides the weights: the model, the step's coordinates ({@code offsets[p]} is the global index
   * of partition p's first pair, {@code count} the number of pairs) and the options.
   */
  record Spec(EncoderDecoderSpec model, long seed, long step, int batchSize, long count, long[] offsets,
      int microBatches, boolean bf16) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  TranslationStepTask(Broadcast<float[]> weights, Spec spec) {
    this.weights = weights;
    this.spec = spec;
  }

  @Override
  public GradientSum call(GradientSum sum, PairChunk chunk) {
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
    EncoderDecoderSpec m = spec.model();
    ExecutorModels.Workspace<EncoderDecoder> w = ExecutorModels.borrow(m.config());
    Parameters params = w.parameters();
    params.values().copyFrom(weights.value());
    params.zeroGrad();
    Graph g = w.graph();
    double lossSum = 0;
    long tokens = 0;
    int groups = Math.min(spec.microBatches(), n);
    for (int group = 0; group < groups; group++) {
      int from = (int) ((long) group * n / groups);
      int to = (int) ((long) (group + 1) * n / groups);
      List<int[]> sources = new ArrayList<>(to - from);
      List<int[]> targets = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        int local = (int) (picks[mine[i]] - offset);
        sources.add(chunk.sources()[local]);
        targets.add(chunk.targets()[local]);
      }
      TranslationBatch batch = TranslationBatch.of(sources, targets, m.sourcePad(), m.targetPad(), m.bos(), m.eos(),
          m.maxSourceLength(), m.maxTargetLength()); // (B, S) sources, (B, T) decoder rows
      g.reset();
      Variable loss = w.model().loss(g, batch, true, GlobalBatch.dropoutSeed(spec.seed(), spec.step(), mine[from]),
          Reduction.SUM, (float) m.labelSmoothing());
      lossSum += loss.value().get(0);
      tokens += batch.targetCount();
      g.backward(loss);
    }
    float[] gradient = params.grads().toArray();
    g.reset();
    ExecutorModels.giveBack(w);
    return sum.mergeInPlace(GradientSum.of(chunk.index(), gradient, lossSum, tokens, spec.bf16()));
  }
}
