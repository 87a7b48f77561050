package io.spindle.optim;

/**
 * The schedule of "Attention Is All You Need" (Vaswani et al., 2017, section 5.3), scaled by a factor:
 * <pre>
 *   rate = factor * modelDim^-0.5 * min(n^-0.5, n * warmupSteps^-1.5),   n = step + 1
 * </pre>
 * The paper's step number n starts at 1, while {@link LearningRateSchedule} steps start at 0, hence
 * {@code n = step + 1}: the rate rises linearly for the first {@code warmupSteps} updates, peaks at
 * {@code factor / sqrt(modelDim * warmupSteps)} on step {@code warmupSteps - 1} (n = warmupSteps), then decays as
 * {@code 1/sqrt(n)}. (The Annotated Transformer instead maps step 0 to n = 1 and keeps n = step afterwards, so its
 * first two steps share a rate.)
 */
public record NoamSchedule(int modelDim, long warmupSteps, double factor) implements LearningRateSchedule {
  /** Validates {@code modelDim > 0}, {@code warmupSteps > 0} and a finite {@code factor > 0}. */
  public NoamSchedule {
    if (modelDim <= 0 || warmupSteps <= 0) {
      throw new IllegalArgumentException("NoamSchedule: modelDim and warmupSteps must be > 0, got modelDim "
          + modelDim + ", warmupSteps " + warmupSteps);
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("NoamSchedule: factor must be finite and > 0, got " + factor);
    }
  }

  @Override
  public double rate(long step) {
    Checks.step("NoamSchedule", step);
    double n = step + 1;
    return factor / Math.sqrt(modelDim) * Math.min(1 / Math.sqrt(n), n / StrictMath.pow(warmupSteps, 1.5));
  }
}
