package io.spindle.optim;

/**
 * The learning rate for each optimizer step. Steps count from 0: {@code rate(optimizer.stepCount())} is the rate for
 * the update about to be made, so the first update uses {@code rate(0)} (nanoGPT's {@code get_lr(iter_num)}).
 *
 * <p>Implementations: {@link ConstantSchedule}, {@link WarmupCosineSchedule} (nanoGPT), {@link NoamSchedule}
 * ("Attention Is All You Need"). All are immutable records validated when built.
 */
@FunctionalInterface
public interface LearningRateSchedule {
  /** The learning rate for step {@code step} (&gt;= 0; negative steps are rejected). */
  double rate(long step);
}
