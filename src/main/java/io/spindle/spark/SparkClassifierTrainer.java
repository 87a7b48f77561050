package io.spindle.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains an {@link EncoderClassifier} data-parallel on Spark, with the language-model trainer's machinery: each step
 * one {@link DataParallelStep} (broadcast, {@code treeAggregate} of {@link ClassifierStepTask}s, destroy), then
 * {@link TrainingLoop#update} on the driver (divide by the example count, clip, AdamW at the warm-up/cosine rate,
 * skip or stop on a non-finite loss or gradient).
 *
 * <p>The global batch of step s is {@code config.batchSize()} examples drawn with replacement by
 * {@code GlobalBatch.examples(seed, s, B, N)} over the global example index, so every partitioning trains on the same
 * examples; sums in float make partitionings agree to rounding, not to the bit (see {@link SparkLmTrainer}).
 *
 * <p><b>Validation and early stopping.</b> Given validation examples, the trainer scores them
 * ({@link ClassifierEvaluation}) every {@link ValidationPolicy#interval()} steps and after the last, and records
 * each evaluation in the returned {@link ClassifierProgress}; with early stopping on it stops after
 * {@link ValidationPolicy#patience()} evaluations without improvement and leaves the model with the weights of the
 * best evaluation.
 *
 * <p><b>Checkpoints.</b> With a checkpoint directory in the {@link SparkTrainingOptions}, every K steps, after the
 * last step and when stopping early, a {@link ClassifierCheckpoint} goes into a {@link CheckpointStore}: weights,
 * AdamW moments, the step, the run's settings and its progress (histories, best weights). With
 * {@code resume} a run continues from the newest valid checkpoint and, with the same partitioning, ends with the
 * bits of an uninterrupted run; a checkpoint of another model config or of other settings (steps, batch, rates,
 * seed, example counts, validation policy) is refused before the first step, as is, without {@code resume}, a
 * directory that already holds checkpoints. A checkpoint of a finished run resumes to that run's result without a
 * step.
 */
public final class SparkClassifierTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(SparkClassifierTrainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainingLoop loop;
  private final EncoderClassifier model;
  private final SparkTrainingOptions options;
  private String resumedFrom;

  public SparkClassifierTrainer(EncoderClassifier model, LmTrainingConfig config, SparkTrainingOptions options) {
    this.loop = new TrainingLoop(model.parameters(), config);
    this.model = model;
    this.options = options;
  }

  public AdamW optimizer() {
    return loop.optimizer();
  }

  /** The checkpoint the last {@link #train} resumed from, if it resumed. */
  public Optional<String> resumedFrom() {
    return Optional.ofNullable(resumedFrom);
  }

  /**
   * Trains on {@code data}, evaluating {@code validation} (null for none) as {@code policy} says (ignored without
   * validation examples), and reports every step to {@code listener} ({@code tokensPerSecond} counts examples;
   * {@code validationLoss} is set on evaluated steps). Returns the run's progress, the steps of an earlier run
   * resumed from a checkpoint included.
   */
  public ClassifierProgress train(SparkExamples data, SparkExamples validation, ValidationPolicy policy,
      LmTrainer.Listener listener) throws IOException {
    EncoderConfig modelConfig = model.config();
    LmTrainingConfig config = loop.config();
    for (SparkExamples d : validation == null ? List.of(data) : List.of(data, validation)) {
      if (d.vocabSize() > modelConfig.vocabSize() || d.numClasses() != modelConfig.numClasses()) {
        throw new IllegalArgumentException("examples were checked for vocabulary " + d.vocabSize() + " and "
            + d.numClasses() + " classes; the model has vocab_size " + modelConfig.vocabSize() + " and num_classes "
            + modelConfig.numClasses());
      }
    }
    ValidationPolicy active = validation == null ? null : policy;
    ObjectNode settings = settings(data, validation, active);
    CheckpointStore store = options.checkpointDir() == null ? null : CheckpointStore.open(options.checkpointDir(),
        JavaSparkContext.fromSparkContext(data.chunks().context()).hadoopConfiguration());
    ClassifierProgress progress = store == null ? new ClassifierProgress(active) : prepare(store, settings, active);
    Parameters params = model.parameters();
    TrainingLoop.GradientSource source = gradients(data);
    long start = System.nanoTime();
    long evalNanos = 0;
    long examples = 0;
    for (long step = progress.steps(); step < config.steps() && !progress.finished(); step++) {
      params.zeroGrad();
      BatchGradient.Result r = source.accumulate(step);
      TrainingLoop.Update u = loop.update(step, r, options.nonFinite());
      examples += r.tokens();
      progress.recordStep(r.meanLoss());
      boolean last = step + 1 == config.steps();
      double validationLoss = Double.NaN;
      if (active != null && ((step + 1) % active.interval() == 0 || last)) {
        long evalStart = System.nanoTime();
        ClassifierEvaluation e = ClassifierEvaluation.of(validation, model);
        evalNanos += System.nanoTime() - evalStart;
        validationLoss = e.meanLoss();
        LOG.info("step {}: validation loss {}, accuracy {}", step + 1, String.format("%.4f", e.meanLoss()),
            String.format("%.4f", e.accuracy()));
        if (progress.recordEvaluation(step + 1, e, params.values())) {
          LOG.info(progress.stopReason());
        }
      }
      if (last && !progress.finished()) {
        progress.complete(config.steps());
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      double trainSeconds = (System.nanoTime() - start - evalNanos) / 1e9;
      listener.onStep(new StepMetrics(step + 1, r.meanLoss(), u.learningRate(), examples / trainSeconds, elapsed,
          u.gradNorm(), validationLoss));
      if (store != null && options.checkpointEvery() > 0
          && ((step + 1) % options.checkpointEvery() == 0 || progress.finished())) {
        checkpoint(store, step + 1, data, settings, progress);
      }
    }
    float[] best = progress.bestWeights();
    if (active != null && active.earlyStopping() && best != null) {
      params.values().copyFrom(best);
    }
    return progress;
  }

  /** The gradient of step s's global batch, summed by the executors. */
  private TrainingLoop.GradientSource gradients(SparkExamples data) {
    LmTrainingConfig config = loop.config();
    EncoderSpec spec = EncoderSpec.of(model.config());
    long[] offsets = data.offsets();
    int depth = options.depthFor(data.partitions());
    boolean bf16 = options.compressGradients();
    return step -> {
      ClassifierStepTask.Spec taskSpec = new ClassifierStepTask.Spec(spec, config.seed(), step, config.batchSize(),
          data.count(), offsets, options.microBatches(), bf16);
      GradientSum sum = DataParallelStep.run("classifier training step " + (step + 1), data.chunks(),
          model.parameters(), depth, bf16, weights -> new ClassifierStepTask(weights, taskSpec));
      if (sum.tokens() != config.batchSize()) {
        throw new IllegalStateException("step " + (step + 1) + ": the tasks summed " + sum.tokens()
            + " examples, expected " + config.batchSize());
      }
      return new BatchGradient.Result(sum.lossSum(), sum.tokens());
    };
  }

  /** What a checkpoint must share with this run to be resumed by it. */
  private ObjectNode settings(SparkExamples data, SparkExamples validation, ValidationPolicy policy) {
    LmTrainingConfig c = loop.config();
    ObjectNode o = JSON.createObjectNode();
    o.put("steps", c.steps());
    o.put("batch_size", c.batchSize());
    o.put("learning_rate", c.learningRate());
    o.put("min_learning_rate", c.minLearningRate());
    o.put("warmup_steps", c.warmupSteps());
    o.put("weight_decay", c.weightDecay());
    o.put("beta1", c.beta1());
    o.put("beta2", c.beta2());
    o.put("grad_clip", c.gradClip());
    o.put("seed", c.seed());
    o.put("training_examples", data.count());
    o.put("validation_examples", validation == null ? 0 : validation.count());
    o.put("validation_interval", policy == null ? 0 : policy.interval());
    o.put("patience", policy == null ? 0 : policy.patience());
    o.put("tolerance", policy == null ? 0 : policy.tolerance());
    return o;
  }

  private void checkpoint(CheckpointStore store, long step, SparkExamples data, ObjectNode settings,
      ClassifierProgress progress) throws IOException {
    LmTrainingConfig config = loop.config();
    TrainerState state = new TrainerState(step, config.seed(), config.batchSize(), data.count(),
        step * config.batchSize());
    if (ClassifierCheckpoint.write(store, model, loop.optimizer().state(), state, settings, progress,
        options.keepCheckpoints())) {
      LOG.info("step {}: checkpoint written to {}", step, store.location());
    }
  }

  /**
   * Checks the checkpoint directory against this run, clears leftovers of interrupted writes once it is accepted
   * and, when resuming, restores; returns the progress.
   */
  private ClassifierProgress prepare(CheckpointStore store, ObjectNode settings, ValidationPolicy policy)
      throws IOException {
    List<String> existing = store.committed();
    if (existing.isEmpty()) {
      store.removeUnfinishedWrites(); // the directory is accepted: clear what interrupted writes left
      return new ClassifierProgress(policy);
    }
    if (!options.resume()) {
      throw new IllegalArgumentException("checkpoint directory " + store.location() + " already holds checkpoints"
          + " (newest: " + existing.get(0) + "); resume from them or use an empty directory");
    }
    ClassifierCheckpoint.Loaded c = store.latestValid(name -> ClassifierCheckpoint.load(store, name, policy))
        .orElseThrow(() -> new IllegalArgumentException("checkpoint directory " + store.location() + " holds "
            + existing + " but none is a valid classifier checkpoint (see the warnings); use an empty directory"));
    if (!c.config().equals(model.config())) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " is of another model: " + c.config()
          + "; this run's model is " + model.config());
    }
    List<String> differences = ClassifierCheckpoint.differences(settings, c.settings());
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " is of another run (" + String.join("; ",
          differences) + "); use the same settings and data, or an empty checkpoint directory");
    }
    if (c.trainer().step() != c.progress().steps()) {
      throw new IllegalArgumentException("checkpoint " + c.location() + " is inconsistent: step "
          + c.trainer().step() + " but " + c.progress().steps() + " recorded losses");
    }
    store.removeUnfinishedWrites();
    model.parameters().values().copyFrom(c.weights().values());
    loop.optimizer().restore(c.optimizer());
    resumedFrom = c.location();
    LOG.info("resuming from {} at step {}", c.location(), c.trainer().step());
    return c.progress();
  }
}
