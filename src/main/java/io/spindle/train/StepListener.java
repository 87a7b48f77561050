package io.spindle.train;

import java.io.IOException;

/** Receives the metrics of each training step, in order, after the step's update and evaluation. */
@FunctionalInterface
public interface StepListener {
  void onStep(StepMetrics metrics) throws IOException;
}
