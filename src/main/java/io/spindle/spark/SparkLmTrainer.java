package io.spindle.spark;

import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.optim.AdamW;
import io.spindle.train.BatchGradient;
import io.spindle.train.LmTrainer;
import io.spindle.train.LmTrainingConfig;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingLoop;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link Gpt} data-parallel on Spark, computing the same steps as the in-process {@link LmTrainer}.
 *
 * <p>Each step, on the driver: broadcast the flat weights; run {@code treeAggregate} over the stream's chunks, where
 * every task ({@link StepTask}) computes the summed-loss gradient of the windows of the step's global batch that
 * start in its chunk; destroy the broadcast; then {@link TrainingLoop}'s update, the very code the in-process trainer
 * runs (divide by the token count, clip, AdamW, skip or stop on a non-finite loss or gradient); log, update the named
 * accumulators {@code spindle tokens} and {@code spindle loss sum} (shown in the Spark UI; summed over task attempts
 * that succeeded, so a recomputed map stage may count twice; the step metrics are exact), and checkpoint every K
 * steps ({@link CheckpointStore}).
 *
 * <p><b>Equivalence.</b> The global batch is a function of (seed, step) over the whole stream ({@code GlobalBatch}),
 * so every partitioning trains on the same windows. Gradients are summed in float in an order that depends on the
 * partitioning and micro-batching (window by window inside a batch's matmuls, then micro-batch by micro-batch, then
 * along the aggregation tree), so runs with different partition counts agree to about 1e-6 relative, not to the bit;
 * one partition with one micro-batch computes exactly the in-process trainer's bits. Bitwise equality across
 * partition counts would need a reduction whose order does not depend on the partitioning: per-window gradients
 * (one forward/backward per window, B times the passes) added in window order in a fixed canonical tree, or exact
 * (e.g. fixed-point or double-double) accumulation. For a fixed partitioning the sum is deterministic
 * ({@link GradientSum}), so a retried task or a resumed run reproduces an undisturbed run exactly.
 *
 * <p>Closures capture only the weights' broadcast handle and small serialisable values ({@link StepTask.Spec}),
 * never a SparkContext, this trainer or the driver's model.
 */
public final class SparkLmTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SparkLmTrainer.class);

  private final TrainingLoop loop;
  private final SparkTrainingOptions options;
  private final Tokenizer tokenizer;
  private long failStep = -1;
  private int failChunk = -1;
  private String resumedFrom;
  private LongAccumulator tokenCounter;
  private DoubleAccumulator lossCounter;

  /** {@code tokenizer} (may be null) is written into checkpoints so that each is a complete model folder. */
  public SparkLmTrainer(Gpt model, LmTrainingConfig config, SparkTrainingOptions options, Tokenizer tokenizer) {
    this.loop = new TrainingLoop(model, config);
    this.options = options;
    this.tokenizer = tokenizer;
  }

  public AdamW optimizer() {
    return loop.optimizer();
  }

  /** The checkpoint the last {@link #train} resumed from, if it resumed. */
  public Optional<String> resumedFrom() {
    return Optional.ofNullable(resumedFrom);
  }

  /** The named accumulators of the last {@link #train}: target tokens and summed loss, as the tasks counted them. */
  LongAccumulator tokenCounter() {
    return tokenCounter;
  }

  DoubleAccumulator lossCounter() {
    return lossCounter;
  }

  /** Test hook: the first attempt of chunk {@code chunk}'s task at step {@code step} (0-based) throws. */
  void injectFailure(long step, int chunk) {
    this.failStep = step;
    this.failChunk = chunk;
  }

  /**
   * Trains on {@code data} (validated when it was built), evaluating on {@code validationTokens} on the driver, and
   * returns the metrics of the last step taken ({@code null} if a resumed run had nothing left to do). Checkpoint
   * problems (a directory of another model, or holding checkpoints when not resuming) are reported before the first
   * step.
   */
  public StepMetrics train(SparkTokenStream data, int[] validationTokens, LmTrainer.Listener listener)
      throws IOException {
    Gpt model = loop.model();
    GptConfig modelConfig = model.config();
    LmTrainingConfig config = loop.config();
    if (data.blockSize() != modelConfig.blockSize() || data.vocabSize() > modelConfig.vocabSize()) {
      throw new IllegalArgumentException("training data was built for block size " + data.blockSize()
          + " and vocabulary " + data.vocabSize() + "; the model has block_size " + modelConfig.blockSize()
          + " and vocab_size " + modelConfig.vocabSize());
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.chunks().context());
    CheckpointStore store = options.checkpointDir() == null ? null
        : CheckpointStore.open(options.checkpointDir(), jsc.hadoopConfiguration());
    long[] tokensSeen = {0};
    long firstStep = store == null ? 0 : prepare(store, data, tokensSeen);
    LongAccumulator tokenCounter = jsc.sc().longAccumulator("spindle tokens");
    DoubleAccumulator lossCounter = jsc.sc().doubleAccumulator("spindle loss sum");
    this.tokenCounter = tokenCounter;
    this.lossCounter = lossCounter;
    int depth = options.depthFor(data.partitions());
    long expectedTokens = (long) config.batchSize() * modelConfig.blockSize();
    TrainingLoop.GradientSource source = step -> {
      GradientSum sum = DataParallelStep.run("training step " + (step + 1), data.chunks(), model.parameters(),
          depth, options.compressGradients(), weights -> new StepTask(weights, StepTask.Spec.of(modelConfig,
              config.seed(), step, config.batchSize(), data.length(), options.microBatches(),
              options.compressGradients(), failStep, failChunk, tokenCounter, lossCounter)));
      if (sum.tokens() != expectedTokens) {
        throw new IllegalStateException("step " + (step + 1) + ": the tasks summed " + sum.tokens()
            + " target tokens, expected " + expectedTokens);
      }
      tokensSeen[0] += sum.tokens();
      return new BatchGradient.Result(sum.lossSum(), sum.tokens());
    };
    long[] lastCheckpoint = {firstStep};
    LmTrainer.Listener withCheckpoints = m -> {
      listener.onStep(m);
      if (store != null && options.checkpointEvery() > 0
          && (m.step() % options.checkpointEvery() == 0 || m.step() == config.steps())) {
        checkpoint(store, m.step(), data, tokensSeen[0]);
        lastCheckpoint[0] = m.step();
      }
    };
    StepMetrics last = loop.run(firstStep, source,
        TrainingLoop.validationBatches(validationTokens, modelConfig.blockSize(), config.batchSize()),
        options.nonFinite(), withCheckpoints);
    if (store != null && options.checkpointEvery() > 0 && last != null && last.step() != lastCheckpoint[0]) {
      checkpoint(store, last.step(), data, tokensSeen[0]); // stopped early by the time limit
    }
    return last;
  }

  private void checkpoint(CheckpointStore store, long step, SparkTokenStream data, long tokensSeen)
      throws IOException {
    LmTrainingConfig config = loop.config();
    TrainerState state = new TrainerState(step, config.seed(), config.batchSize(), data.length(), tokensSeen);
    if (store.write(loop.model(), tokenizer, loop.optimizer().state(), state, options.keepCheckpoints())) {
      LOG.info("step {}: checkpoint written to {}", step, store.location());
    }
  }

  /**
   * Checks the checkpoint directory against this run, clears the leftovers of interrupted writes once the directory
   * is accepted ({@link CheckpointStore#removeUnfinishedWrites}) and, when resuming, restores; returns the first step.
   */
  private long prepare(CheckpointStore store, SparkTokenStream data, long[] tokensSeen) throws IOException {
    GptConfig modelConfig = loop.model().config();
    LmTrainingConfig config = loop.config();
    List<String> existing = store.committed();
    if (!options.resume()) {
      if (existing.isEmpty()) {
        store.removeUnfinishedWrites();
        return 0;
      }
      GptConfig other = null;
      try {
        other = store.configOf(existing.get(0));
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot read the config of checkpoint {}: {}", existing.get(0), e.getMessage());
      }
      if (other != null && !other.equals(modelConfig)) {
        throw mismatch(store.location() + "/" + existing.get(0), other, modelConfig);
      }
      throw new IllegalArgumentException("checkpoint directory " + store.location() + " already holds checkpoints"
          + " (newest: " + existing.get(0) + "); resume from them or use an empty directory");
    }
    store.removeUnfinishedWrites();
    Optional<CheckpointStore.Checkpoint> found = store.latestValid();
    if (found.isEmpty()) {
      LOG.warn("no valid checkpoint in {}; training from step 0", store.location());
      return 0;
    }
    CheckpointStore.Checkpoint c = found.get();
    if (!c.config().equals(modelConfig)) {
      throw mismatch(c.location(), c.config(), modelConfig);
    }
    TrainerState t = c.trainer();
    if (t.seed() != config.seed() || t.batchSize() != config.batchSize() || t.streamLength() != data.length()) {
      LOG.warn("resuming {} (seed {}, batch {}, {} tokens) with seed {}, batch {}, {} tokens: the run will not "
          + "reproduce an uninterrupted one", c.location(), t.seed(), t.batchSize(), t.streamLength(), config.seed(),
          config.batchSize(), data.length());
    }
    loop.model().parameters().values().copyFrom(c.weights().values());
    loop.optimizer().restore(c.optimizer());
    tokensSeen[0] = t.tokensSeen();
    resumedFrom = c.location();
    LOG.info("resuming from {} at step {}", c.location(), t.step());
    return t.step();
  }

  private static IllegalArgumentException mismatch(String checkpoint, GptConfig theirs, GptConfig ours) {
    return new IllegalArgumentException("checkpoint " + checkpoint + " is of another model: " + theirs
        + "; this run's model is " + ours);
  }
}
