package io.spindle.train;

import io.spindle.autograd.Parameters;
import io.spindle.data.Batch;
import io.spindle.data.TokenWindows;
import io.spindle.nn.Gpt;
import io.spindle.optim.AdamW;
import io.spindle.optim.GradientClipping;
import io.spindle.optim.WarmupCosineSchedule;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of language-model training, shared by every trainer: where the summed gradient of a step's global
 * batch comes from is the only thing that differs ({@link GradientSource}: this JVM for {@link LmTrainer}, Spark
 * executors for the Spark trainer).
 *
 * <p>Each step: zero the gradients; let the source add the gradient of the summed loss over the global batch
 * ({@link GlobalBatch}); divide by the token count (so it is the mean loss's gradient); clip to the global norm; take
 * an AdamW step at the scheduled rate (linear warm-up, cosine decay to the minimum at the last step, or also paced by
 * the time limit with {@link LmTrainingConfig#decayOverTime}). A step whose
 * loss or gradient is not finite is skipped with a warning, or stops training, per {@link NonFinite}. The validation
 * loss is the mean over consecutive windows of the validation tokens.
 *
 * <p>Order of use: build, optionally restore {@link #optimizer()} and the weights of a checkpoint, then
 * {@link #run} from the step to continue at. Not thread-safe.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  private final Gpt model;
  private final Parameters parameters;
  private final LmTrainingConfig config;
  private final AdamW optimizer;
  private final WarmupCosineSchedule schedule;
  /** With {@link LmTrainingConfig#decayOverTime}: the fraction of the post-warm-up time budget used so far. */
  private double decayFraction;

  /** Supplies the gradient of one step's global batch. */
  @FunctionalInterface
  public interface GradientSource {
    /**
     * Adds the gradient of the loss summed over step {@code step}'s global batch to the model's gradient buffer
     * (zeroed before the call) and returns that loss sum and the number of target tokens.
     */
    BatchGradient.Result accumulate(long step) throws IOException;
  }

  /**
   * The validation loss of the model as it stands: over every validation batch when {@code full} (the last step),
   * else over at most {@code evalBatches} of them.
   */
  @FunctionalInterface
  public interface Validation {
    double meanLoss(boolean full);
  }

  /** What a step with a non-finite loss or gradient does. */
  public enum NonFinite {
    /** Leaves weights and optimizer state untouched, logs a warning and goes on with the next step. */
    SKIP,
    /** Throws {@link ArithmeticException} naming the step; weights are left as before the step. */
    STOP
  }

  /** What the update of one step did. */
  public record Update(double gradNorm, double learningRate, boolean taken) {}

  public TrainingLoop(Gpt model, LmTrainingConfig config) {
    this(model, model.parameters(), config);
  }

  /**
   * A loop over any model's flat {@code parameters} (a classifier, say): the same update, with
   * {@link #run(long, GradientSource, Validation, NonFinite, LmTrainer.Listener)} for validation. {@link #model()}
   * is then null. {@code config.batchSize()} counts the examples of a step's global batch.
   */
  public TrainingLoop(Parameters parameters, LmTrainingConfig config) {
    this(null, parameters, config);
  }

  private TrainingLoop(Gpt model, Parameters parameters, LmTrainingConfig config) {
    this.model = model;
    this.parameters = parameters;
    this.config = config;
    this.optimizer = new AdamW(AdamW.Config.defaults().withBetas(config.beta1(), config.beta2())
        .withWeightDecay(config.weightDecay()), parameters);
    this.schedule = new WarmupCosineSchedule(config.learningRate(), config.minLearningRate(),
        Math.min(config.warmupSteps(), config.steps()), config.steps());
  }

  /** The language model trained, or null for a loop built over bare parameters. */
  public Gpt model() {
    return model;
  }

  public Parameters parameters() {
    return parameters;
  }

  public LmTrainingConfig config() {
    return config;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** The evaluation batches of a validation stream (empty when it has fewer than 2 tokens). */
  public static List<Batch> validationBatches(int[] validationTokens, int blockSize, int batchSize) {
    return validationTokens.length > 1
        ? new TokenWindows(validationTokens, Math.min(blockSize, validationTokens.length - 1))
            .evaluationBatches(batchSize)
        : List.of();
  }

  /**
   * Runs steps {@code firstStep .. steps-1} (fewer if {@code maxSeconds} runs out) and returns the metrics of the
   * last step taken, or {@code null} if {@code firstStep} is already past the end.
   */
  public StepMetrics run(long firstStep, GradientSource gradients, List<Batch> validation, NonFinite nonFinite,
      LmTrainer.Listener listener) throws IOException {
    return run(firstStep, gradients, validation(validation, batches -> BatchGradient.evaluate(model, batches)),
        nonFinite, listener);
  }

  /**
   * The {@link Validation} over {@code batches} (null when there are none): {@code evaluator}'s mean loss over all
   * of them for the full evaluation, else over the first {@code evalBatches} of the config.
   */
  public Validation validation(List<Batch> batches, Function<List<Batch>, BatchGradient.Result> evaluator) {
    return batches.isEmpty() ? null : full -> evaluator.apply(full || config.evalBatches() == 0 ? batches
        : batches.subList(0, Math.min(config.evalBatches(), batches.size()))).meanLoss();
  }

  /** {@link #run(long, GradientSource, List, NonFinite, LmTrainer.Listener)} with any validation, or none (null). */
  public StepMetrics run(long firstStep, GradientSource gradients, Validation validation, NonFinite nonFinite,
      LmTrainer.Listener listener) throws IOException {
    Parameters params = parameters;
    long start = System.nanoTime();
    long tokens = 0;
    long evalNanos = 0;
    double warmupEnd = -1; // seconds into this run when warm-up was over
    StepMetrics last = null;
    for (long step = firstStep; step < config.steps(); step++) {
      if (config.decayOverTime()) {
        double now = (System.nanoTime() - start) / 1e9;
        if (step >= config.warmupSteps() && warmupEnd < 0) {
          warmupEnd = now;
        }
        double budget = config.maxSeconds() - warmupEnd;
        decayFraction = warmupEnd < 0 ? 0 : budget > 0 ? (now - warmupEnd) / budget : 1;
      }
      params.zeroGrad();
      BatchGradient.Result r = gradients.accumulate(step);
      Update u = update(step, r, nonFinite);
      tokens += r.tokens();
      double elapsed = (System.nanoTime() - start) / 1e9;
      boolean lastStep = step == config.steps() - 1 || (config.maxSeconds() > 0 && elapsed >= config.maxSeconds());
      double valLoss = Double.NaN;
      if (validation != null && (lastStep || (config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0))) {
        long evalStart = System.nanoTime();
        valLoss = validation.meanLoss(lastStep);
        evalNanos += System.nanoTime() - evalStart;
      }
      double trainSeconds = (System.nanoTime() - start - evalNanos) / 1e9;
      last = new StepMetrics(step + 1, r.meanLoss(), u.learningRate(), tokens / trainSeconds, elapsed, u.gradNorm(),
          valLoss);
      listener.onStep(last);
      if (lastStep) {
        break;
      }
    }
    return last;
  }

  /**
   * The update of step {@code step} once the model's gradient buffer holds the gradient of the summed loss
   * {@code r}: divide by the token count, clip, AdamW at the scheduled rate; skipped (or stopped, per
   * {@code nonFinite}) when the loss or the gradient norm is not finite.
   */
  public Update update(long step, BatchGradient.Result r, NonFinite nonFinite) {
    Parameters params = parameters;
    params.grads().scaleInPlace((float) (1.0 / r.tokens()));
    double norm = config.gradClip() > 0
        ? GradientClipping.clipGlobalNorm(params.grads(), config.gradClip())
        : GradientClipping.globalNorm(params.grads());
    double lr = config.decayOverTime() ? schedule.rate(step, decayFraction) : schedule.rate(step);
    if (Double.isFinite(norm) && Double.isFinite(r.lossSum())) {
      optimizer.step(params, lr);
      return new Update(norm, lr, true);
    }
    if (nonFinite == NonFinite.STOP) {
      throw new ArithmeticException("step " + (step + 1) + ": non-finite loss or gradient (loss " + r.meanLoss()
          + ", grad norm " + norm + "); training stopped");
    }
    LOG.warn("step {}: non-finite loss or gradient (loss {}, grad norm {}); step skipped", step + 1, r.meanLoss(),
        norm);
    return new Update(norm, lr, false);
  }
}
