package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.train.StepMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Lines written to stderr while the progress line is shown start on a line of their own. */
class ProgressLineTest {
  @Test
  void aLogLineIsNeverGluedOntoTheProgressLine() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setErr(err);
    try {
      try (ProgressLine line = new ProgressLine("train-lm", 4)) {
        line.update(new StepMetrics(1, 2.5, 1e-3, 100, 0.1, 1, Double.NaN));
        // the bar redraws every 500 ms; on a loaded machine the first draw can come later, so wait for it (10 s at
        // most) rather than for a fixed time
        for (int waited = 0; waited < 10_000 && !captured.toString(StandardCharsets.UTF_8).contains("train-lm");
            waited += 50) {
          Thread.sleep(50);
        }
        System.err.println("12:00:00 INFO SparkTrainer: step 1: checkpoint written");
        line.update(new StepMetrics(2, 2.4, 1e-3, 100, 0.2, 1, Double.NaN));
        Thread.sleep(700);
      }
      assertEquals(err, System.err, "stderr restored");
    } finally {
      System.setErr(saved);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    int log = out.indexOf("12:00:00 INFO");
    assertTrue(log > 0 && out.charAt(log - 1) == '\n', "the log line starts a line: " + out);
    assertTrue(out.substring(0, log).contains("train-lm"), "the bar was drawn before it: " + out);
  }
}
