package io.spindle.spark;

import java.util.function.Supplier;

/** Runs a Spark job and reports a bad-input error raised inside a task as the error itself, not a stage failure. */
public final class SparkJobs {
  private SparkJobs() {}

  /**
   * Runs {@code job}; if it fails because a task threw an {@link IllegalArgumentException} (bad input found on an
   * executor), rethrows that exception's message as an {@link IllegalArgumentException} naming {@code what}. Other
   * failures propagate, a checked {@code SparkException} wrapped in an {@link IllegalStateException}.
   */
  public static <T> T run(String what, Supplier<T> job) {
    try {
      return job.get();
    } catch (Exception e) { // Scala code throws the checked SparkException undeclared
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IllegalArgumentException) {
          throw new IllegalArgumentException(t.getMessage(), e);
        }
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }
}
