package io.spindle.optim;

/**
 * Linear warmup, then cosine decay to a floor: nanoGPT's {@code get_lr(it)}, to the formula.
 * <pre>
 *   it &lt; warmupSteps:                  maxRate * (it + 1) / (warmupSteps + 1)
 *   it &gt; decaySteps:                   minRate
 *   otherwise, with r = (it - warmupSteps) / (decaySteps - warmupSteps) in [0, 1]:
 *                                      minRate + 0.5 * (1 + cos(pi * r)) * (maxRate - minRate)
 * </pre>
 * So warmup never yields 0 (step 0 gets {@code maxRate / (warmupSteps + 1)}), step {@code warmupSteps} gets exactly
 * {@code maxRate}, step {@code decaySteps} exactly {@code minRate}. (Older nanoGPT versions warmed up as
 * {@code maxRate * it / warmupSteps}, which is 0 at step 0.) Where nanoGPT would divide 0 by 0, with
 * {@code decaySteps == warmupSteps}, this schedule gives {@code minRate} from step {@code warmupSteps} on.
 * {@link StrictMath#cos} makes the rates the same on every JVM.
 */
public record WarmupCosineSchedule(double maxRate, double minRate, long warmupSteps, long decaySteps)
    implements LearningRateSchedule {
  /** Validates {@code 0 <= minRate <= maxRate} (finite) and {@code 0 <= warmupSteps <= decaySteps}. */
  public WarmupCosineSchedule {
    Checks.nonNegative("WarmupCosineSchedule", "maxRate", maxRate);
    Checks.nonNegative("WarmupCosineSchedule", "minRate", minRate);
    if (minRate > maxRate) {
      throw new IllegalArgumentException("WarmupCosineSchedule: minRate " + minRate + " exceeds maxRate " + maxRate);
    }
    if (warmupSteps < 0 || decaySteps < warmupSteps) {
      throw new IllegalArgumentException("WarmupCosineSchedule: need 0 <= warmupSteps <= decaySteps, got warmupSteps "
          + warmupSteps + ", decaySteps " + decaySteps);
    }
  }

  @Override
  public double rate(long step) {
    Checks.step("WarmupCosineSchedule", step);
    if (step < warmupSteps) {
      return maxRate * (step + 1) / (warmupSteps + 1);
    }
    if (step > decaySteps || decaySteps == warmupSteps) {
      return minRate;
    }
    return decayed((double) (step - warmupSteps) / (decaySteps - warmupSteps));
  }

  /**
   * The rate at step {@code step} when the decay may also be paced by something other than steps (wall-clock time,
   * say): during warm-up as {@link #rate}; after it, the cosine at the larger of the step fraction and
   * {@code decayFraction} (clamped to [0, 1]).
   */
  public double rate(long step, double decayFraction) {
    Checks.step("WarmupCosineSchedule", step);
    if (step < warmupSteps) {
      return rate(step);
    }
    double byStep = step > decaySteps || decaySteps == warmupSteps ? 1
        : (double) (step - warmupSteps) / (decaySteps - warmupSteps);
    return decayed(Math.min(1, Math.max(byStep, decayFraction)));
  }

  /** The cosine between maxRate and minRate at decay progress {@code decayRatio} in [0, 1]. */
  private double decayed(double decayRatio) {
    double coefficient = 0.5 * (1.0 + StrictMath.cos(Math.PI * decayRatio));
    return minRate + coefficient * (maxRate - minRate);
  }
}
