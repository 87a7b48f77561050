package io.spindle.cli;

import io.spindle.train.StepMetrics;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The one-line progress display on stderr: step/total, ETA, loss, validation loss and tokens per second. */
final class ProgressLine implements AutoCloseable {
  private final ProgressBar bar;
  private double lastValidation = Double.NaN;
  private boolean closed;

  ProgressLine(String task, long total) {
    this.bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(500)
        .showSpeed()
        .setUnit(" steps", 1)
        .build();
  }

  void update(StepMetrics m) {
    if (m.evaluated()) {
      lastValidation = m.validationLoss();
    }
    bar.stepTo(m.step());
    bar.setExtraMessage(String.format(" loss %.4f%s %,.0f tok/s", m.loss(),
        Double.isNaN(lastValidation) ? "" : String.format(" val %.4f", lastValidation), m.tokensPerSecond()));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      bar.close();
    }
  }
}
