package io.spindle.cli;

import io.spindle.train.StepMetrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The one-line progress display on stderr: step/total, ETA, loss, validation loss and tokens per second.
 *
 * <p>The bar redraws itself in place ({@code \r}, no newline), so anything else written to stderr meanwhile (a log
 * line, a {@code spindle:} message) would be glued onto it. While the bar is shown, {@code System.err} is a stream
 * that starts such a write on a line of its own; the bar then redraws below it. (The command line's log4j console
 * appender follows {@code System.err}, see {@code spindle-log4j2.properties}.)
 */
final class ProgressLine implements AutoCloseable {
  private final ProgressBar bar;
  private final PrintStream original;
  private final LineAware stderr;
  private double lastValidation = Double.NaN;
  private boolean closed;

  ProgressLine(String task, long total) {
    this.original = System.err;
    this.stderr = new LineAware(original);
    PrintStream barStream = new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        stderr.bar(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        stderr.bar(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    this.bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(barStream))
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
      System.setErr(original);
    }
  }

  /**
   * stderr shared by the bar and everything else: a write that is not the bar's, arriving while the bar's line is
   * open, starts with a newline.
   */
  private static final class LineAware extends OutputStream {
    private final PrintStream out;
    private boolean barOpen;

    LineAware(PrintStream out) {
      this.out = out;
    }

    synchronized void bar(byte[] b, int off, int len) {
      out.write(b, off, len);
      out.flush();
      barOpen = len > 0 && b[off + len - 1] != '\n';
    }

    @Override
    public synchronized void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      if (barOpen && len > 0) {
        out.write('\n');
        barOpen = false;
      }
      out.write(b, off, len);
    }

    @Override
    public synchronized void flush() {
      out.flush();
    }
  }
}
