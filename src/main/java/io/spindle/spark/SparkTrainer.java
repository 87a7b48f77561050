package io.spindle.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.data.Tokenizer;
import io.spindle.nn.ModelFolder;
import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import io.spindle.optim.Optimizer;
import io.spindle.train.BatchGradient;
import io.spindle.train.DataPart;
import io.spindle.train.Objective;
import io.spindle.train.StepListener;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingLoop;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains any model family data-parallel on Spark, computing the same steps as the in-process
 * {@link io.spindle.train.LocalTrainer}: the family is its {@link Objective}, everything else is shared.
 *
 * <p>Each step, on the driver: broadcast the flat weights; run {@code treeAggregate} over the data's cached parts,
 * where every task ({@link StepTask}) computes the summed-loss gradient of the draws of the step's global batch that
 * its part holds, in micro-batches; destroy the broadcast; then {@link TrainingLoop}'s update, the very code the
 * in-process trainer runs (divide by the count, clip, optimizer step, skip or stop on a non-finite loss or
 * gradient). The tasks add their counts and losses to two named accumulators shown in the Spark UI,
 * {@code spindle <count unit>} (for example {@code spindle tokens}) and {@code spindle loss sum}: summed over task
 * attempts that succeeded, so a recomputed stage may count twice; the step metrics are exact. Validation data, if
 * any, is scored by one job ({@link SparkEvaluation}) when the {@link ValidationPolicy} says; early stopping is the
 * loop's.
 *
 * <p><b>Equivalence.</b> The global batch is a function of (seed, step) over the whole data, so every partitioning
 * trains on the same draws. Gradients are summed in float in an order that depends on the partitioning and
 * micro-batching (draw by draw inside a batch's matmuls, then micro-batch by micro-batch, then along the aggregation
 * tree), so runs with different partition counts agree to about 1e-6 relative, not to the bit; one partition with
 * the same micro-batches computes exactly the bits of the in-process trainer on one thread. For a fixed partitioning
 * the sum is deterministic ({@link GradientSum}), so a retried task or a resumed run reproduces an undisturbed run
 * exactly.
 *
 * <p><b>Checkpoints.</b> With a checkpoint directory in the {@link SparkTrainingOptions}, every K steps and when the
 * run ends (its last step, the time limit, early stopping) a {@link TrainingCheckpoint} goes into a
 * {@link CheckpointStore}: the model folder (with the run's tokenizers), the optimizer state, the step, the run's
 * settings and its progress. With {@code resume} a run continues from the newest valid checkpoint and, with the same
 * partitioning, ends with the bits of an uninterrupted run. Refused before the first step: a directory that holds
 * checkpoints when not resuming; a checkpoint of another model config, of other settings (steps, batch, rates,
 * optimizer, schedule, seed, data sizes, validation policy; the steps may grow with
 * {@link SparkTrainingOptions#moreSteps}), or of another tokenizer; and, when resuming, a directory whose checkpoints
 * are all damaged. The objective adds settings of its own to the comparison ({@link Objective#checkpointSettings}).
 * A checkpoint of a finished run resumes to that run's result without a step.
 *
 * <p>Closures capture only the weights' broadcast handle, the objective and small serialisable values, never a
 * SparkContext, this trainer or the driver's model.
 */
public final class SparkTrainer<M extends Network<?>, D extends DataPart> {
  private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Objective<M, D> objective;
  private final M model;
  private final TrainingLoop loop;
  private final SparkTrainingOptions options;
  private final Tokenizer tokenizer;
  private final Tokenizer targetTokenizer;
  private long failStep = -1;
  private int failPart = -1;
  private String resumedFrom;
  private java.util.function.Consumer<String> onResume = from -> { };
  private long counted;
  private LongAccumulator countAccumulator;
  private DoubleAccumulator lossAccumulator;

  /**
   * A trainer of {@code model}; {@code tokenizer} and {@code targetTokenizer} (either may be null) go into every
   * checkpoint, so that each is a complete model folder, and must match a checkpoint resumed from.
   */
  public SparkTrainer(Objective<M, D> objective, M model, TrainingConfig config, SparkTrainingOptions options,
      Tokenizer tokenizer, Tokenizer targetTokenizer) {
    this.objective = objective;
    this.model = model;
    this.loop = new TrainingLoop(model.parameters(), config, objective::metrics);
    this.options = options;
    this.tokenizer = tokenizer;
    this.targetTokenizer = targetTokenizer;
  }

  public Optimizer optimizer() {
    return loop.optimizer();
  }

  /** The checkpoint the last {@link #train} resumed from, if it resumed. */
  public Optional<String> resumedFrom() {
    return Optional.ofNullable(resumedFrom);
  }

  /** Called with the checkpoint's location when {@link #train} resumes, before the first step. */
  public void onResume(java.util.function.Consumer<String> callback) {
    this.onResume = callback;
  }

  /** The named accumulators of the last {@link #train}: the count and the summed loss, as the tasks added them. */
  LongAccumulator countAccumulator() {
    return countAccumulator;
  }

  DoubleAccumulator lossAccumulator() {
    return lossAccumulator;
  }

  /** Test hook: the first attempt of part {@code part}'s task at step {@code step} (0-based) throws. */
  void injectFailure(long step, int part) {
    this.failStep = step;
    this.failPart = part;
  }

  /**
   * Trains on {@code data}, evaluating {@code validation} (null for none) as {@code policy} says, and reports every
   * step to {@code listener} ({@code tokensPerSecond} counts the objective's count unit). Returns the run's
   * progress, the steps of an earlier run resumed from a checkpoint included. Checkpoint problems are reported before
   * the first step.
   */
  public TrainingProgress train(SparkParts<D> data, SparkParts<D> validation, ValidationPolicy policy,
      StepListener listener) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.parts().context());
    ValidationPolicy active = validation == null ? null : policy;
    ObjectNode settings = settings(data, validation, active);
    CheckpointStore store = options.checkpointDir() == null ? null
        : CheckpointStore.open(options.checkpointDir(), jsc.hadoopConfiguration());
    counted = 0;
    TrainingProgress progress = store == null ? new TrainingProgress(active) : prepare(store, settings, active);
    LongAccumulator countSum = jsc.sc().longAccumulator("spindle " + objective.countUnit());
    DoubleAccumulator lossSum = jsc.sc().doubleAccumulator("spindle loss sum");
    this.countAccumulator = countSum;
    this.lossAccumulator = lossSum;
    int depth = options.depthFor(data.partitions());
    boolean bf16 = options.compressGradients();
    boolean deterministic = loop.config().deterministic();
    if (deterministic && bf16) {
      throw new IllegalArgumentException("deterministic training sums float32 gradients along a canonical tree; "
          + "bfloat16 gradients (rounded wherever the tree crosses the wire) cannot be combined with it");
    }
    int microBatches = loop.config().microBatches();
    TrainingLoop.GradientSource source = step -> {
      StepTask.Step s = new StepTask.Step(step, microBatches, bf16, deterministic, failStep, failPart, countSum,
          lossSum);
      GradientSum zero = deterministic ? GradientSum.canonical(objective.batchSize()) : GradientSum.empty(bf16);
      GradientSum sum = DataParallelStep.run("training step " + (step + 1), data.parts(), loop.parameters(),
          depth, zero, weights -> new StepTask<>(weights, objective, s));
      BatchGradient.Result r = new BatchGradient.Result(sum.lossSum(), sum.tokens(), sum.sums());
      objective.checkTotal(step, r);
      counted += r.tokens();
      return r;
    };
    TrainingLoop.Validation validate = validation == null ? null : full -> SparkEvaluation.evaluate(objective,
        validation.parts(), loop.parameters(), full ? 0 : active.maxBatches());
    StepListener withCheckpoints = m -> {
      listener.onStep(m);
      if (store != null && options.checkpointEvery() > 0
          && (m.step() % options.checkpointEvery() == 0 || progress.finished())) {
        checkpoint(store, m.step(), data, settings, progress);
      }
    };
    return loop.run(progress, source, validate, withCheckpoints);
  }

  /** What a checkpoint must share with this run to be resumed by it. */
  private ObjectNode settings(SparkParts<D> data, SparkParts<D> validation, ValidationPolicy policy) {
    TrainingConfig c = loop.config();
    ObjectNode o = JSON.createObjectNode();
    o.put("steps", c.steps());
    o.put("batch_size", c.batchSize());
    o.put("optimizer", c.optimizer().name().toLowerCase(java.util.Locale.ROOT));
    o.put("schedule", c.schedule().name().toLowerCase(java.util.Locale.ROOT));
    o.put("learning_rate", c.learningRate());
    o.put("min_learning_rate", c.minLearningRate());
    o.put("warmup_steps", c.warmupSteps());
    o.put("weight_decay", c.weightDecay());
    o.put("beta1", c.beta1());
    o.put("beta2", c.beta2());
    o.put("momentum", c.momentum());
    o.put("grad_clip", c.gradClip());
    o.put("seed", c.seed());
    if (c.rateScale() != null) {
      o.put("rate_scale_prefix", c.rateScale().namePrefix());
      o.put("rate_scale", c.rateScale().scale());
    }
    o.put("training_" + objective.dataUnit(), data.size());
    o.put("validation_" + objective.dataUnit(), validation == null ? 0 : validation.size());
    o.put("validation_interval", policy == null ? 0 : policy.interval());
    o.put("patience", policy == null ? 0 : policy.patience());
    o.put("tolerance", policy == null ? 0 : policy.tolerance());
    o.put("validation_batches", policy == null ? 0 : policy.maxBatches());
    objective.checkpointSettings().forEach(o::put);
    return o;
  }

  private void checkpoint(CheckpointStore store, long step, SparkParts<D> data, ObjectNode settings,
      TrainingProgress progress) throws IOException {
    TrainingConfig config = loop.config();
    TrainerState state = new TrainerState(step, config.seed(), config.batchSize(), data.size(), counted);
    if (TrainingCheckpoint.write(store, objective.format(), new ModelFolder.Contents<>(model, tokenizer,
        targetTokenizer), loop.optimizer().state(), state, settings, progress, options.keepCheckpoints())) {
      LOG.info("step {}: checkpoint written to {}", step, store.location());
    }
  }

  /**
   * Checks the checkpoint directory against this run, clears the leftovers of interrupted writes once the directory
   * is accepted and, when resuming, restores; returns the progress to continue.
   */
  private TrainingProgress prepare(CheckpointStore store, ObjectNode settings, ValidationPolicy policy)
      throws IOException {
    List<String> existing = store.committed();
    if (existing.isEmpty()) {
      if (options.resume()) {
        LOG.warn("no checkpoint in {} to resume from; training from step 0", store.location());
      }
      store.removeUnfinishedWrites();
      return new TrainingProgress(policy);
    }
    if (!options.resume()) {
      Serializable theirs = null;
      try {
        theirs = configOf(store, existing.get(0), objective.format());
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot read the config of checkpoint {}: {}", existing.get(0), e.getMessage());
      }
      if (theirs != null && !theirs.equals(objective.config())) {
        throw anotherModel(store.location() + "/" + existing.get(0), theirs);
      }
      throw new IllegalArgumentException("checkpoint directory " + store.location() + " already holds checkpoints"
          + " (newest: " + existing.get(0) + "); resume from them or use an empty directory");
    }
    TrainingCheckpoint.Loaded c = store.latestValid(name -> TrainingCheckpoint.load(store, name,
        objective.format(), policy)).orElseThrow(() -> new IllegalArgumentException("checkpoint directory "
            + store.location() + " holds " + existing + " but none of them is a valid checkpoint (see the "
            + "warnings above); nothing to resume from: repair or remove them, or use an empty directory"));
    if (!c.config().equals(objective.config())) {
      throw anotherModel(c.location(), c.config());
    }
    if (options.moreSteps() && loop.config().steps() < c.progress().steps()) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " is at step " + c.progress().steps()
          + ", past this run's last step " + loop.config().steps() + "; resume with at least that many steps");
    }
    List<String> differences = TrainingCheckpoint.differences(settings, c.settings(),
        options.moreSteps() ? Set.of("steps") : Set.of());
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " is of another run (" + String.join("; ",
          differences) + "); use the same settings and data, or an empty checkpoint directory");
    }
    checkTokenizer(c, "tokenizer", tokenizer, c.tokenizer());
    checkTokenizer(c, "target tokenizer", targetTokenizer, c.targetTokenizer());
    if (c.trainer().step() != c.progress().steps()) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " is inconsistent: step "
          + c.trainer().step() + " but " + c.progress().steps() + " recorded steps");
    }
    store.removeUnfinishedWrites();
    loop.parameters().values().copyFrom(c.weights().values());
    loop.optimizer().restore(c.optimizer());
    counted = c.trainer().tokensSeen();
    resumedFrom = c.location();
    TrainingProgress progress = c.progress();
    if (options.moreSteps() && progress.finished() && !progress.stoppedEarly()
        && progress.steps() < loop.config().steps()) {
      progress.reopen();
    }
    LOG.info("resuming from {} at step {}", c.location(), c.trainer().step());
    onResume.accept(c.location());
    return progress;
  }

  private static void checkTokenizer(TrainingCheckpoint.Loaded c, String which, Tokenizer ours, Tokenizer theirs) {
    if (ours != null && theirs != null && !ours.equals(theirs)) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " was trained with another " + which
          + " (" + theirs.vocabSize() + " tokens; this run's has " + ours.vocabSize() + (theirs.vocabSize()
          == ours.vocabSize() ? ", the same number but not the same vocabulary" : "") + "); use the same "
          + which + " or an empty checkpoint directory");
    }
  }

  private static <C extends Serializable, X extends Network<?>> C configOf(CheckpointStore store, String name,
      ModelFormat<C, X> format) throws IOException {
    return ModelFolder.readConfig(format, store.verify(name));
  }

  private IllegalArgumentException anotherModel(String checkpoint, Serializable theirs) {
    return new IllegalArgumentException("checkpoint " + checkpoint + " is of another model: " + theirs
        + "; this run's model is " + objective.config());
  }
}
