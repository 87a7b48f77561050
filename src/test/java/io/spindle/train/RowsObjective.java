package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import java.util.Arrays;
import java.util.List;

/**
 * A test objective whose single part is a batch of arbitrary rows (targets need not follow the inputs), every row
 * drawn at every step, dropout seed 9: for {@link LocalReplicas}' tests and the single-step benchmark.
 */
public final class RowsObjective implements Objective<Gpt, RowsObjective.Rows> {
  private static final long serialVersionUID = 1L;
  private final GptConfig config;

  public RowsObjective(GptConfig config) {
    this.config = config;
  }

  /** A batch as the one part of a dataset; evaluation batches are {@code evaluation}. */
  public record Rows(Batch batch, List<Batch> evaluation) implements DataPart {
    @Override
    public int index() {
      return 0;
    }
  }

  @Override
  public GptFormat format() {
    return GptFormat.INSTANCE;
  }

  @Override
  public GptConfig config() {
    return config;
  }


  @Override
  public int batchSize() {
    return 0;
  }

  @Override
  public String dataUnit() {
    return "rows";
  }

  @Override
  public String countUnit() {
    return "tokens";
  }

  @Override
  public int[] owned(Rows part, long step) {
    return GlobalBatch.all(part.batch().batch());
  }

  @Override
  public BatchGradient.Result accumulate(Gpt model, Graph graph, Rows part, long step, int[] owned, int from,
      int to) {
    Batch b = part.batch();
    int t = b.time();
    Batch rows = new Batch(Arrays.copyOfRange(b.inputs(), from * t, to * t),
        Arrays.copyOfRange(b.targets(), from * t, to * t), to - from, t);
    return BatchGradient.accumulate(model, graph, rows, 9);
  }

  @Override
  public void checkTotal(long step, BatchGradient.Result total) {}

  @Override
  public int evaluationBatches(Rows part) {
    return part.evaluation().size();
  }

  @Override
  public Evaluation evaluate(Gpt model, Rows part, int batch) {
    BatchGradient.Result r = BatchGradient.evaluate(model, part.evaluation().get(batch));
    return new Evaluation(r.lossSum(), r.tokens(), -1);
  }

  @Override
  public boolean measuresAccuracy() {
    return false;
  }

  /** Forward and backward of every row of {@code batch} on {@code replicas}, in one micro-batch per thread. */
  public static BatchGradient.Result accumulate(LocalReplicas<Gpt, Rows> replicas, Batch batch) {
    return replicas.accumulate(new Rows(batch, List.of()), 0, GlobalBatch.all(batch.batch()), 1);
  }
}
