package io.spindle.optim;

/** The same learning rate at every step. */
public record ConstantSchedule(double learningRate) implements LearningRateSchedule {
  public ConstantSchedule {
    Checks.nonNegative("ConstantSchedule", "learningRate", learningRate);
  }

  @Override
  public double rate(long step) {
    Checks.step("ConstantSchedule", step);
    return learningRate;
  }
}
