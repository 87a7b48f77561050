package io.spindle.train;

import io.spindle.nn.Network;

/**
 * An objective whose global batch draws examples: step s is B examples drawn with replacement by
 * {@link GlobalBatch#examples} over the global example index 0..N-1, and a part's first example has the global index
 * {@code offsets()[part.index()]}. What such objectives share is written here once: the draws of a step, which of
 * them a part owns, and validation in consecutive batches of {@link #evaluationBatchSize()} examples.
 *
 * @param <M> the model
 * @param <D> a part of the examples
 */
public interface ExampleObjective<M extends Network<?>, D extends ExamplePart> extends Objective<M, D> {
  /** The run's seed. */
  long seed();

  /** N, the training examples. */
  long count();

  /** The global index of each part's first example (a copy). */
  long[] offsets();

  /** Validation examples per evaluation batch. */
  int evaluationBatchSize();

  /** The global index of each draw j of step {@code step}'s batch. */
  default long[] draws(long step) {
    return GlobalBatch.examples(seed(), step, batchSize(), count());
  }

  @Override
  default int[] owned(D part, long step) {
    return GlobalBatch.owned(draws(step), offsets()[part.index()], part.size());
  }

  @Override
  default int evaluationBatches(D part) {
    return (part.size() + evaluationBatchSize() - 1) / evaluationBatchSize();
  }

  /** Evaluation batch {@code batch}: examples {@code [batch E, min(size, (batch + 1) E))}, E the batch size. */
  @Override
  default Evaluation evaluate(M model, D part, int batch) {
    int from = batch * evaluationBatchSize();
    return evaluate(model, part, from, Math.min(part.size(), from + evaluationBatchSize()));
  }

  /** Examples {@code [from, to)} of {@code part} scored by {@code model} in inference mode (no dropout). */
  Evaluation evaluate(M model, D part, int from, int to);
}
