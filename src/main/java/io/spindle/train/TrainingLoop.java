package io.spindle.train;

import io.spindle.autograd.Parameters;
import io.spindle.optim.GradientClipping;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.optim.Optimizer;
import io.spindle.optim.WarmupCosineSchedule;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of training, the same for every model family and every trainer: where the summed gradient of a
 * step's global batch comes from ({@link GradientSource}: threads of this JVM for {@link LocalTrainer}, Spark
 * executors for the Spark trainer) and how the model is validated ({@link Validation}) are the only things that
 * differ.
 *
 * <p>Each step: zero the gradients; let the source add the gradient of the loss summed over the global batch; divide
 * by the count it is over (so it is the mean loss's gradient); clip to the global norm; step the optimizer at the
 * scheduled rate ({@link TrainingConfig}). A step whose loss or gradient is not finite is skipped with a warning, or
 * stops training, per {@link TrainingConfig#nonFinite()}; an update that makes a weight non-finite (a learning rate
 * far too high, say) always stops training with an {@link ArithmeticException} naming the step, since it cannot be
 * taken back, so no trainer ever hands on non-finite weights. Validation runs when the {@link ValidationPolicy} says,
 * and its early-stopping rule may end the run; the model then ends with the weights of the best evaluation. A time
 * limit ({@link TrainingConfig#maxSeconds()}) counts the elapsed time of earlier, resumed parts of the run too.
 *
 * <p>Order of use: build, optionally restore {@link #optimizer()} and the weights of a checkpoint, then {@link #run}
 * with a fresh or restored {@link TrainingProgress}. Not thread-safe.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);
  /** Skipped steps in a row after which {@link TrainingConfig.NonFinite#SKIP} stops training. */
  public static final int MAX_SKIPPED_IN_A_ROW = 10;

  private final Parameters parameters;
  private final TrainingConfig config;
  private final Optimizer optimizer;
  private final LearningRateSchedule schedule;
  private final WarmupCosineSchedule cosine;
  /** With {@link TrainingConfig#decayOverTime}: the fraction of the post-warm-up time budget used so far. */
  private double decayFraction;
  /** Steps skipped in a row, for the non-finite policy. */
  private int skippedInARow;

  /** Supplies the gradient of one step's global batch. */
  @FunctionalInterface
  public interface GradientSource {
    /**
     * Adds the gradient of the loss summed over step {@code step}'s global batch to the model's gradient buffer
     * (zeroed before the call) and returns that loss sum and the count it is over.
     */
    BatchGradient.Result accumulate(long step) throws IOException;
  }

  /** Scores the model as it stands on the validation data: all of it when {@code full} (the last step). */
  @FunctionalInterface
  public interface Validation {
    Evaluation evaluate(boolean full) throws IOException;
  }

  /** What the update of one step did. */
  public record Update(double gradNorm, double learningRate, boolean taken) {}

  /** A loop over the flat {@code parameters} of a model. */
  public TrainingLoop(Parameters parameters, TrainingConfig config) {
    this.parameters = parameters;
    this.config = config;
    this.optimizer = config.newOptimizer(parameters);
    this.schedule = config.newSchedule();
    this.cosine = config.cosine();
  }

  public Parameters parameters() {
    return parameters;
  }

  public TrainingConfig config() {
    return config;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /**
   * Runs steps {@code progress.steps() .. steps-1} (fewer if the time limit or early stopping comes first),
   * evaluating with {@code validation} (null for none) as {@code progress.policy()} says, and reporting each step to
   * {@code listener} after recording it in {@code progress}. Returns {@code progress}; a run already finished takes
   * no step.
   */
  public TrainingProgress run(TrainingProgress progress, GradientSource gradients, Validation validation,
      StepListener listener) throws IOException {
    long start = System.nanoTime();
    double before = progress.elapsedSeconds();
    long counted = 0;
    long evalNanos = 0;
    double warmupEnd = -1; // seconds into this run when warm-up was over
    ValidationPolicy policy = validation == null ? null : progress.policy();
    for (long step = progress.steps(); step < config.steps() && !progress.finished(); step++) {
      if (config.decayOverTime()) {
        double now = (System.nanoTime() - start) / 1e9;
        if (step >= config.warmupSteps() && warmupEnd < 0) {
          warmupEnd = now;
        }
        double budget = config.maxSeconds() - before - warmupEnd;
        decayFraction = warmupEnd < 0 ? 0 : budget > 0 ? (now - warmupEnd) / budget : 1;
      }
      parameters.zeroGrad();
      BatchGradient.Result r = gradients.accumulate(step);
      Update u = update(step, r);
      counted += r.tokens();
      double elapsed = before + (System.nanoTime() - start) / 1e9;
      boolean outOfTime = config.maxSeconds() > 0 && elapsed >= config.maxSeconds() && step < config.steps() - 1;
      boolean last = step == config.steps() - 1 || outOfTime;
      double validationLoss = Double.NaN;
      if (policy != null && policy.due(step + 1, last)) {
        long evalStart = System.nanoTime();
        Evaluation e = validation.evaluate(last);
        evalNanos += System.nanoTime() - evalStart;
        validationLoss = e.meanLoss();
        LOG.info("step {}: validation loss {}{}", step + 1, String.format("%.4f", validationLoss),
            Double.isNaN(e.accuracy()) ? "" : String.format(", accuracy %.4f", e.accuracy()));
        if (progress.recordEvaluation(step + 1, e, parameters.values())) {
          LOG.info(progress.stopReason());
        }
      }
      if (last && !progress.finished()) {
        progress.complete(step + 1, outOfTime);
      }
      double trainSeconds = (System.nanoTime() - start - evalNanos) / 1e9;
      StepMetrics m = new StepMetrics(step + 1, r.meanLoss(), u.learningRate(), counted / trainSeconds, elapsed,
          u.gradNorm(), validationLoss);
      progress.recordStep(m);
      listener.onStep(m);
    }
    float[] best = progress.bestWeights();
    if (policy != null && policy.earlyStopping() && best != null) {
      parameters.values().copyFrom(best);
    }
    return progress;
  }

  /**
   * The update of step {@code step} once the gradient buffer holds the gradient of the summed loss {@code r}: divide
   * by the count, clip, step the optimizer at the scheduled rate; skipped (or stopped, per the config) when the loss
   * or the gradient norm is not finite; stopped when the update makes a weight non-finite.
   */
  public Update update(long step, BatchGradient.Result r) {
    parameters.grads().scaleInPlace((float) (1.0 / r.tokens()));
    double norm = config.gradClip() > 0
        ? GradientClipping.clipGlobalNorm(parameters.grads(), config.gradClip())
        : GradientClipping.globalNorm(parameters.grads());
    double lr = config.decayOverTime() ? cosine.rate(step, decayFraction) : schedule.rate(step);
    if (Double.isFinite(norm) && Double.isFinite(r.lossSum())) {
      skippedInARow = 0;
      optimizer.step(parameters, lr);
      int bad = firstNonFinite(parameters.values());
      if (bad >= 0) {
        throw new ArithmeticException("step " + (step + 1) + ": the update at learning rate " + lr + " made "
            + parameters.nameAt(bad) + " non-finite (loss " + r.meanLoss() + ", grad norm " + norm + "); training "
            + "stopped, lower the learning rate");
      }
      return new Update(norm, lr, true);
    }
    skippedInARow++;
    if (config.nonFinite() == TrainingConfig.NonFinite.STOP || skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
      throw new ArithmeticException("step " + (step + 1) + ": non-finite loss or gradient (loss " + r.meanLoss()
          + ", grad norm " + norm + ")" + (skippedInARow > 1 ? ", " + skippedInARow + " steps in a row" : "")
          + "; training stopped (a learning rate too high, or bad data?)");
    }
    LOG.warn("step {}: non-finite loss or gradient (loss {}, grad norm {}); step skipped", step + 1, r.meanLoss(),
        norm);
    return new Update(norm, lr, false);
  }

  /** The index of the first non-finite element, or -1. */
  private static int firstNonFinite(Tensor values) {
    int n = values.size();
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(values.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
