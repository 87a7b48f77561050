package io.spindle.train;

import io.spindle.autograd.Parameters;
import io.spindle.optim.AdamW;
import io.spindle.optim.ConstantSchedule;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.optim.NoamSchedule;
import io.spindle.optim.Optimizer;
import io.spindle.optim.ParameterRateScale;
import io.spindle.optim.ScaledRates;
import io.spindle.optim.Sgd;
import io.spindle.optim.WarmupCosineSchedule;
import java.io.Serializable;

/**
 * How a model is optimised, the same for every model family and every trainer (in-process or on Spark), validated
 * once. Build one with {@link #builder()} (every field has the default given below) or {@link #toBuilder()}.
 *
 * @param steps optimizer steps to take (600)
 * @param batchSize the global batch of a step (32): windows of the token stream for a language model, examples for
 *     a classifier, pairs for a translator, over all threads or Spark partitions together
 * @param microBatches forward/backward passes that each thread or Spark task splits its share of the batch into
 *     (gradient accumulation, bounding activation memory); the sum is the same up to float rounding (1)
 * @param optimizer {@link OptimizerChoice#ADAMW} (PyTorch's AdamW with {@code beta1}, {@code beta2},
 *     {@code weightDecay} on matrices and embeddings) or {@link OptimizerChoice#SGD} (PyTorch's SGD with
 *     {@code momentum}; no weight decay) (ADAMW)
 * @param learningRate the peak learning rate (1e-3)
 * @param minLearningRate the rate the cosine schedule decays to by the last step (a tenth of the peak)
 * @param schedule {@link ScheduleChoice#COSINE} (nanoGPT's linear warm-up then cosine decay to
 *     {@code minLearningRate}), {@link ScheduleChoice#CONSTANT} ({@code learningRate} at every step, no warm-up) or
 *     {@link ScheduleChoice#NOAM} ("Attention Is All You Need": linear warm-up then decay as 1/sqrt(step), scaled so
 *     that the peak, at the last warm-up step, is {@code learningRate}) (COSINE)
 * @param warmupSteps steps of linear warm-up, for COSINE and NOAM (100)
 * @param weightDecay AdamW's decoupled weight decay (0.1)
 * @param beta1 AdamW's first-moment decay (0.9)
 * @param beta2 AdamW's second-moment decay (0.99)
 * @param momentum SGD's momentum, 0 for plain gradient descent (0.9)
 * @param gradClip the global gradient-norm clip, 0 = none (1.0)
 * @param seed seeds initialisation, the global batches and dropout (1337)
 * @param maxSeconds stop after this much training time even if steps remain, 0 = no limit (0)
 * @param decayOverTime with COSINE and {@code maxSeconds > 0}: pace the decay by time as well as by steps; after
 *     warm-up its progress is the larger of the step fraction and the fraction of the remaining time used, so the
 *     rate reaches the minimum when the time limit or the last step comes, whichever is first. The rates then
 *     depend on the machine's speed, so such a run is not reproducible bit for bit (false)
 * @param nonFinite what a step with a non-finite loss or gradient does (SKIP)
 * @param deterministic compute each draw's gradient on its own and sum them along one canonical tree
 *     ({@link CanonicalSum}), so that the weights are the same bits whatever the thread count, Spark partitioning,
 *     aggregation depth or micro-batches (which this mode ignores); costs throughput (one forward and backward per
 *     draw; docs/benchmarks.md), and on Spark needs float32 gradients (false)
 * @param rateScale a learning rate of its own for the parameters whose names start with a prefix (a fine-tuned
 *     backbone's, say), as {@link ScaledRates} applies it; null for one rate for all (null)
 */
public record TrainingConfig(int steps, int batchSize, int microBatches, OptimizerChoice optimizer,
    double learningRate, double minLearningRate, ScheduleChoice schedule, int warmupSteps, double weightDecay,
    double beta1, double beta2, double momentum, double gradClip, long seed, double maxSeconds,
    boolean decayOverTime, NonFinite nonFinite, boolean deterministic, ParameterRateScale rateScale)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The optimizer a run uses. */
  public enum OptimizerChoice { ADAMW, SGD }

  /** The learning-rate schedule a run uses. */
  public enum ScheduleChoice { COSINE, CONSTANT, NOAM }

  /** What a step with a non-finite loss or gradient does. */
  public enum NonFinite {
    /**
     * Leaves weights and optimizer state untouched, logs a warning and goes on with the next step; after
     * {@link TrainingLoop#MAX_SKIPPED_IN_A_ROW} skipped steps in a row training stops as with {@link #STOP}: the
     * model is broken (a learning rate far too high, say), not hit by a bad batch.
     */
    SKIP,
    /** Throws {@link ArithmeticException} naming the step; weights are left as before the step. */
    STOP
  }

  public TrainingConfig {
    check(steps > 0, "steps must be positive, got " + steps);
    check(batchSize > 0, "batch size must be positive, got " + batchSize);
    check(microBatches > 0, "micro-batches must be positive, got " + microBatches);
    check(optimizer != null && schedule != null && nonFinite != null, "optimizer, schedule and non-finite policy "
        + "are required");
    check(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be positive and finite, got "
        + learningRate);
    check(minLearningRate >= 0 && minLearningRate <= learningRate,
        "min learning rate must be in [0, learning rate], got " + minLearningRate);
    check(warmupSteps >= 0, "warm-up steps must be >= 0, got " + warmupSteps);
    check(schedule != ScheduleChoice.NOAM || warmupSteps > 0, "the Noam schedule needs warm-up steps > 0");
    check(weightDecay >= 0 && Double.isFinite(weightDecay), "weight decay must be >= 0, got " + weightDecay);
    check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1), got " + beta1 + ", "
        + beta2);
    check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
    check(gradClip >= 0 && Double.isFinite(gradClip), "gradient clip must be >= 0, got " + gradClip);
    check(maxSeconds >= 0 && Double.isFinite(maxSeconds), "max seconds must be >= 0, got " + maxSeconds);
    check(!decayOverTime || (maxSeconds > 0 && schedule == ScheduleChoice.COSINE),
        "decay over time needs the cosine schedule and a time limit (max seconds > 0)");
  }

  /** Every default (see the class comment). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this config. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.steps = steps;
    b.batchSize = batchSize;
    b.microBatches = microBatches;
    b.optimizer = optimizer;
    b.learningRate = learningRate;
    b.minLearningRate = minLearningRate;
    b.schedule = schedule;
    b.warmupSteps = warmupSteps;
    b.weightDecay = weightDecay;
    b.beta1 = beta1;
    b.beta2 = beta2;
    b.momentum = momentum;
    b.gradClip = gradClip;
    b.seed = seed;
    b.maxSeconds = maxSeconds;
    b.decayOverTime = decayOverTime;
    b.nonFinite = nonFinite;
    b.deterministic = deterministic;
    b.rateScale = rateScale;
    return b;
  }

  /** A new optimizer of this config over {@code parameters}, in its initial state. */
  public Optimizer newOptimizer(Parameters parameters) {
    Optimizer base = switch (optimizer) {
      case ADAMW -> new AdamW(AdamW.Config.defaults().withBetas(beta1, beta2).withWeightDecay(weightDecay),
          parameters);
      case SGD -> new Sgd(new Sgd.Config(momentum, false), parameters.count());
    };
    return rateScale == null ? base : new ScaledRates(base, parameters, rateScale);
  }

  /** This config's learning-rate schedule (time pacing, with {@link #decayOverTime}, is the loop's). */
  public LearningRateSchedule newSchedule() {
    return switch (schedule) {
      case COSINE -> cosine();
      case CONSTANT -> new ConstantSchedule(learningRate);
      // rate = factor / sqrt(d) * min(n^-0.5, n w^-1.5) peaks at n = w with factor / sqrt(d w): d = 1 and
      // factor = lr sqrt(w) make that peak lr
      case NOAM -> new NoamSchedule(1, warmupSteps, learningRate * Math.sqrt(warmupSteps));
    };
  }

  /** The cosine schedule of this config (also when another is chosen: the loop's time pacing needs its type). */
  WarmupCosineSchedule cosine() {
    return new WarmupCosineSchedule(learningRate, minLearningRate, Math.min(warmupSteps, steps), steps);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("training config: " + message);
    }
  }

  /** Builds a {@link TrainingConfig}; each setter's default is the class comment's. Not thread-safe. */
  public static final class Builder {
    private int steps = 600;
    private int batchSize = 32;
    private int microBatches = 1;
    private OptimizerChoice optimizer = OptimizerChoice.ADAMW;
    private double learningRate = 1e-3;
    private Double minLearningRate;
    private ScheduleChoice schedule = ScheduleChoice.COSINE;
    private int warmupSteps = 100;
    private double weightDecay = 0.1;
    private double beta1 = 0.9;
    private double beta2 = 0.99;
    private double momentum = 0.9;
    private double gradClip = 1.0;
    private long seed = 1337;
    private double maxSeconds;
    private boolean decayOverTime;
    private NonFinite nonFinite = NonFinite.SKIP;
    private boolean deterministic;
    private ParameterRateScale rateScale;

    private Builder() {}

    public Builder steps(int value) {
      steps = value;
      return this;
    }

    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    public Builder microBatches(int value) {
      microBatches = value;
      return this;
    }

    public Builder optimizer(OptimizerChoice value) {
      optimizer = value;
      return this;
    }

    public Builder learningRate(double value) {
      learningRate = value;
      return this;
    }

    /** The cosine floor; unset, a tenth of the learning rate. */
    public Builder minLearningRate(double value) {
      minLearningRate = value;
      return this;
    }

    public Builder schedule(ScheduleChoice value) {
      schedule = value;
      return this;
    }

    public Builder warmupSteps(int value) {
      warmupSteps = value;
      return this;
    }

    public Builder weightDecay(double value) {
      weightDecay = value;
      return this;
    }

    public Builder betas(double first, double second) {
      beta1 = first;
      beta2 = second;
      return this;
    }

    public Builder momentum(double value) {
      momentum = value;
      return this;
    }

    public Builder gradClip(double value) {
      gradClip = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder maxSeconds(double value) {
      maxSeconds = value;
      return this;
    }

    public Builder decayOverTime(boolean value) {
      decayOverTime = value;
      return this;
    }

    public Builder nonFinite(NonFinite value) {
      nonFinite = value;
      return this;
    }

    public Builder deterministic(boolean value) {
      deterministic = value;
      return this;
    }

    /** Null for one rate for every parameter. */
    public Builder rateScale(ParameterRateScale value) {
      rateScale = value;
      return this;
    }

    /** The config; throws {@link IllegalArgumentException} naming the first invalid setting. */
    public TrainingConfig build() {
      return new TrainingConfig(steps, batchSize, microBatches, optimizer, learningRate,
          minLearningRate == null ? learningRate / 10 : minLearningRate, schedule, warmupSteps, weightDecay, beta1,
          beta2, momentum, gradClip, seed, maxSeconds, decayOverTime, nonFinite, deterministic,
          rateScale);
    }
  }
}
