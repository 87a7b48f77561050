package io.spindle.spark;

/** Lets tests of other packages use {@link SparkTrainer}'s failure-injection hook. */
public final class FailureInjection {
  private FailureInjection() {}

  /** The first attempt of part {@code part}'s task at step {@code step} (0-based) throws. */
  public static void inject(SparkTrainer<?, ?> trainer, long step, int part) {
    trainer.injectFailure(step, part);
  }
}
