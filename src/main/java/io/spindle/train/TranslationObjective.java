package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.Special;
import io.spindle.data.Tokenizer;
import io.spindle.data.TranslationBatch;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.EncoderDecoderFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * An encoder–decoder translation model's objective: the label-smoothed cross-entropy (the config's smoothing) of
 * teacher-forced targets, summed over target tokens, so the driver's division makes it a per-target-token mean.
 *
 * <p>The global batch of step s is B pairs drawn as {@link ExampleObjective} says; a part is a {@link PairChunk}.
 * Batches are built with the special ids of the tokenizers ({@link #of}). Evaluation scores validation chunks in
 * batches of {@value #EVALUATION_BATCH} pairs by plain cross-entropy (no label smoothing) per target token; it does
 * not measure an accuracy.
 *
 * @param config the model
 * @param sourcePad the source tokenizer's {@code <pad>}
 * @param targetPad the target tokenizer's {@code <pad>}
 * @param bos the target tokenizer's {@code <bos>}
 * @param eos the target tokenizer's {@code <eos>}
 * @param seed the run's seed
 * @param batchSize B, pairs per step
 * @param offsets the global index of each part's first pair
 * @param count N, training pairs
 */
public record TranslationObjective(EncoderDecoderConfig config, int sourcePad, int targetPad, int bos, int eos,
    long seed, int batchSize, long[] offsets, long count) implements ExampleObjective<EncoderDecoder, PairChunk> {
  private static final long serialVersionUID = 1L;
  static final int EVALUATION_BATCH = 32;

  public TranslationObjective {
    GlobalBatch.examples(seed, 0, batchSize, count); // validates B and N
    offsets = offsets.clone();
  }

  /**
   * The objective of {@code config} with the specials of the tokenizers; throws naming the side and the token when
   * one is missing or outside the model's vocabulary.
   */
  public static TranslationObjective of(EncoderDecoderConfig config, Tokenizer source, Tokenizer target, long seed,
      int batchSize, long[] offsets, long count) {
    return new TranslationObjective(config, special(source, Special.PAD, "source", config.sourceVocabSize()),
        special(target, Special.PAD, "target", config.targetVocabSize()),
        special(target, Special.BOS, "target", config.targetVocabSize()),
        special(target, Special.EOS, "target", config.targetVocabSize()), seed, batchSize, offsets, count);
  }

  private static int special(Tokenizer tokenizer, Special special, String side, int vocabSize) {
    int id = tokenizer.specialId(special).orElseThrow(() -> new IllegalArgumentException("translation: the " + side
        + " tokenizer has no " + special.token() + " token (its specials: " + tokenizer.options().specials() + ")"));
    if (id >= vocabSize) {
      throw new IllegalArgumentException("translation: the " + side + " tokenizer's " + special.token() + " id "
          + id + " is outside the model's " + side + " vocabulary of " + vocabSize);
    }
    return id;
  }

  @Override
  public EncoderDecoderFormat format() {
    return EncoderDecoderFormat.INSTANCE;
  }


  @Override
  public String dataUnit() {
    return "pairs";
  }

  @Override
  public String countUnit() {
    return "target tokens";
  }

  /** The draws in the order of the examples they pick: a partition's draws are a contiguous range of leaves. */
  @Override
  public int[] leaves(long step) {
    return GlobalBatch.ranks(draws(step));
  }

  /** Pairs {@code [from, to)} of {@code part} (local indices {@code local(i)}) as one teacher-forced batch. */
  private TranslationBatch batch(PairChunk part, int from, int to, java.util.function.IntUnaryOperator local) {
    List<int[]> sources = new ArrayList<>(to - from);
    List<int[]> targets = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      sources.add(part.sources()[local.applyAsInt(i)]);
      targets.add(part.targets()[local.applyAsInt(i)]);
    }
    return TranslationBatch.of(sources, targets, sourcePad, targetPad, bos, eos, config.maxSourceLength(),
        config.maxTargetLength()); // (B, S) sources, (B, T) decoder rows
  }

  @Override
  public BatchGradient.Result accumulate(EncoderDecoder model, Graph graph, PairChunk part, long step, int[] owned,
      int from, int to) {
    long[] picks = draws(step);
    long offset = offsets[part.index()];
    TranslationBatch batch = batch(part, from, to, i -> (int) (picks[owned[i]] - offset));
    graph.reset();
    Variable loss = model.loss(graph, batch, true, GlobalBatch.dropoutSeed(seed, step, owned[from]), Reduction.SUM,
        (float) config.labelSmoothing());
    double sum = loss.value().get(0);
    graph.backward(loss);
    return new BatchGradient.Result(sum, batch.targetCount());
  }

  @Override
  public void checkTotal(long step, BatchGradient.Result total) {
    if (total.tokens() < batchSize) {
      throw new IllegalStateException("step " + (step + 1) + ": the tasks summed " + total.tokens()
          + " target tokens for " + batchSize + " pairs (each has at least its <eos>)");
    }
  }

  @Override
  public int evaluationBatchSize() {
    return EVALUATION_BATCH;
  }

  @Override
  public Evaluation evaluate(EncoderDecoder model, PairChunk part, int from, int to) {
    TranslationBatch b = batch(part, from, to, i -> i);
    Variable loss = model.loss(Graph.inference(), b, false, 0L, Reduction.SUM, 0f);
    return new Evaluation(loss.value().get(0), b.targetCount(), -1);
  }

  @Override
  public long[] offsets() {
    return offsets.clone();
  }
}
