package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.data.Batch;
import io.spindle.data.TokenWindows;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;

/**
 * A GPT language model's objective: the mean next-token cross-entropy over the windows of a token stream.
 *
 * <p>The global batch of step s is B windows of T + 1 tokens whose starts {@link GlobalBatch#starts} draws over the
 * whole stream of n tokens; a part is a {@link TokenChunk} and owns the windows that start in its range. Validation
 * data is the held-out tail of the stream as one chunk, scored in consecutive windows (every target token once), B
 * windows per evaluation batch.
 *
 * @param config the model
 * @param seed the run's seed (batches and dropout)
 * @param batchSize B, windows per step
 * @param streamLength n, tokens in the training stream
 */
public record LmObjective(GptConfig config, long seed, int batchSize, long streamLength)
    implements Objective<Gpt, TokenChunk> {
  private static final long serialVersionUID = 1L;

  /** Checks that the stream is long enough for one window. */
  public LmObjective {
    GlobalBatch.starts(seed, 0, batchSize, streamLength, config.blockSize());
  }

  @Override
  public GptFormat format() {
    return GptFormat.INSTANCE;
  }


  private long[] starts(long step) {
    return GlobalBatch.starts(seed, step, batchSize, streamLength, config.blockSize());
  }

  @Override
  public String dataUnit() {
    return "tokens";
  }

  @Override
  public String countUnit() {
    return "tokens";
  }

  @Override
  public int[] owned(TokenChunk part, long step) {
    return part.ownedWindows(starts(step));
  }

  @Override
  public BatchGradient.Result accumulate(Gpt model, Graph graph, TokenChunk part, long step, int[] owned, int from,
      int to) {
    Batch batch = GlobalBatch.gather(part.tokens(), part.offset(), starts(step), owned, from, to,
        config.blockSize()); // (rows, T)
    return BatchGradient.accumulate(model, graph, batch, GlobalBatch.dropoutSeed(seed, step, owned[from]));
  }

  @Override
  public void checkTotal(long step, BatchGradient.Result total) {
    Objective.requireCount(step, total, (long) batchSize * config.blockSize(), "target tokens");
  }

  private TokenWindows windows(TokenChunk part) {
    int[] tokens = part.tokens();
    return new TokenWindows(tokens, Math.min(config.blockSize(), tokens.length - 1));
  }

  @Override
  public int evaluationBatches(TokenChunk part) {
    return part.tokens().length > 1 ? windows(part).evaluationBatches(batchSize).size() : 0;
  }

  @Override
  public Evaluation evaluate(Gpt model, TokenChunk part, int batch) {
    BatchGradient.Result r = BatchGradient.evaluate(model, windows(part).evaluationBatches(batchSize).get(batch));
    return new Evaluation(r.lossSum(), r.tokens(), -1);
  }

  /** The whole of {@code tokens} as one part, as a trainer in this JVM or the validation tail holds it. */
  public static TokenChunk whole(int[] tokens, int blockSize) {
    return new TokenChunk(0, 0, Math.max(0, tokens.length - blockSize), tokens);
  }
}
