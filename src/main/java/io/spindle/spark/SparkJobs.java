package io.spindle.spark;

import io.spindle.data.BadInputException;
import java.util.function.Supplier;

/**
 * Runs a Spark job and reports a bad-input error raised inside a task ({@link BadInputException}) as the error
 * itself, not a stage failure.
 */
public final class SparkJobs {
  private SparkJobs() {}

  /**
   * Runs {@code job}; if it fails because a task threw a {@link BadInputException} (bad input found on an
   * executor), rethrows that exception's message as a {@link BadInputException}. Other failures, an
   * {@link IllegalArgumentException} of a bug among them, propagate, a checked {@code SparkException} wrapped in an
   * {@link IllegalStateException} naming {@code what}.
   */
  public static <T> T run(String what, Supplier<T> job) {
    try {
      return job.get();
    } catch (Exception e) { // Scala code throws the checked SparkException undeclared
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BadInputException) {
          throw new BadInputException(t.getMessage(), e);
        }
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }
}
