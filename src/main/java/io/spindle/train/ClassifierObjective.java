package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.PaddedBatch;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.EncoderConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder classifier's objective: the mean cross-entropy of the class logits over labelled id sequences.
 *
 * <p>The global batch of step s is B examples drawn as {@link ExampleObjective} says; a part is an
 * {@link ExampleChunk}. Sequences are padded per micro-batch (padded positions are masked out of attention and
 * pooling, so any id fills them) and truncated to the model's maximum length. Evaluation scores validation chunks
 * in batches of {@value #EVALUATION_BATCH} examples: the loss {@code logsumexp(z) - z[label]} in double, and the
 * accuracy of the arg-max class (the first, on ties).
 *
 * @param config the model
 * @param seed the run's seed
 * @param batchSize B, examples per step
 * @param offsets the global index of each part's first example
 * @param count N, training examples
 */
public record ClassifierObjective(EncoderConfig config, long seed, int batchSize, long[] offsets, long count)
    implements ExampleObjective<EncoderClassifier, ExampleChunk> {
  private static final long serialVersionUID = 1L;
  private static final int PAD_ID = 0;
  static final int EVALUATION_BATCH = 64;

  public ClassifierObjective {
    GlobalBatch.examples(seed, 0, batchSize, count); // validates B and N
    offsets = offsets.clone();
  }

  @Override
  public EncoderClassifierFormat format() {
    return EncoderClassifierFormat.INSTANCE;
  }


  @Override
  public String dataUnit() {
    return "examples";
  }

  @Override
  public String countUnit() {
    return "examples";
  }

  /** The draws in the order of the examples they pick: a partition's draws are a contiguous range of leaves. */
  @Override
  public int[] leaves(long step) {
    return GlobalBatch.ranks(draws(step));
  }

  @Override
  public BatchGradient.Result accumulate(EncoderClassifier model, Graph graph, ExampleChunk part, long step,
      int[] owned, int from, int to) {
    long[] picks = draws(step);
    long offset = offsets[part.index()];
    List<int[]> sequences = new ArrayList<>(to - from);
    int[] labels = new int[to - from];
    for (int i = from; i < to; i++) {
      int local = (int) (picks[owned[i]] - offset);
      sequences.add(part.ids()[local]);
      labels[i - from] = part.labels()[local];
    }
    PaddedBatch batch = PaddedBatch.pad(sequences, PAD_ID, config.maxLength()); // (B, T)
    graph.reset();
    Variable loss = model.loss(graph, batch, labels, true, GlobalBatch.dropoutSeed(seed, step, owned[from]),
        Reduction.SUM);
    double sum = loss.value().get(0);
    graph.backward(loss);
    return new BatchGradient.Result(sum, to - from);
  }

  @Override
  public void checkTotal(long step, BatchGradient.Result total) {
    Objective.requireCount(step, total, batchSize, "examples");
  }

  @Override
  public int evaluationBatchSize() {
    return EVALUATION_BATCH;
  }

  @Override
  public Evaluation evaluate(EncoderClassifier model, ExampleChunk part, int from, int to) {
    List<int[]> sequences = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      sequences.add(part.ids()[i]);
    }
    PaddedBatch padded = PaddedBatch.pad(sequences, PAD_ID, config.maxLength()); // (B, T)
    float[] logits = model.logits(Graph.inference(), padded, false, 0L).value().toArray(); // (B, K)
    int k = config.numClasses();
    double lossSum = 0;
    long correct = 0;
    for (int b = 0; b < to - from; b++) {
      int label = part.labels()[from + b];
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int j = 0; j < k; j++) {
        if (logits[b * k + j] > max) {
          max = logits[b * k + j];
          best = j;
        }
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += Math.exp(logits[b * k + j] - max);
      }
      lossSum += max + Math.log(sum) - logits[b * k + label];
      correct += best == label ? 1 : 0;
    }
    return new Evaluation(lossSum, to - from, correct);
  }

  @Override
  public boolean measuresAccuracy() {
    return true;
  }

  @Override
  public long[] offsets() {
    return offsets.clone();
  }
}
