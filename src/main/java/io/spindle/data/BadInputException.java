package io.spindle.data;

/**
 * An error in what a user gave Spindle (a file, a dataset's rows, a prompt, a setting), as opposed to a bug. The
 * message names the input and says what is wrong with it; the command line prints it as its one line, and a Spark
 * job whose task threw it reports it as this error rather than a stage failure ({@code SparkJobs}). It is an
 * {@link IllegalArgumentException}, so callers that catch those keep working; but an
 * {@link IllegalArgumentException} of another kind (a shape mismatch inside an op, say) is never taken for bad input.
 */
public class BadInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
