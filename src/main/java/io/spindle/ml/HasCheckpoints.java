package io.spindle.ml;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;

/**
 * Resumable training checkpoints, shared by every model family. With {@link #checkpointDir()} (any Hadoop path) and
 * {@link #checkpointInterval()} K (-1 disables), a checkpoint is written every K steps and when training ends
 * (weights, optimizer state, step, the run's history and best weights; SHA-256 manifest, committed by rename). A fit
 * that finds valid checkpoints of the same model and training settings there resumes from the newest one and, on
 * the same partitioning, ends with the weights of an uninterrupted fit; resuming a finished fit returns its model
 * without a step. Checkpoints of another model or other settings (steps, batch, rates, optimizer, schedule, seed,
 * data sizes, validation Params) are refused, naming what differs: give each fit (each {@code CrossValidator} fold)
 * its own directory. See {@code io.spindle.spark.SparkTrainer}.
 */
public interface HasCheckpoints extends SpindleParams {
  /** Directory of training checkpoints, any Hadoop path ({@code file:}, {@code hdfs:}, {@code s3a:}). No default. */
  default Param<String> checkpointDir() {
    return declaredParams().stringParam("checkpointDir", "Hadoop path of the training checkpoints; fit resumes "
        + "from a valid one of the same model and settings found there", null);
  }

  /**
   * Steps between checkpoints (>= 1; one is also written after the last step), or -1 to disable them (MLlib's
   * {@code checkpointInterval} convention). Only used with {@link #checkpointDir()}. Default 10.
   */
  default IntParam checkpointInterval() {
    return declaredParams().intParam("checkpointInterval", "steps between checkpoints (>= 1), or -1 to disable "
        + "them", (scala.Function1<Object, Object> & java.io.Serializable) v -> (Integer) v == -1
            || (Integer) v >= 1, 10);
  }

  /** Whether checkpoints are on: a non-empty {@link #checkpointDir()} and an interval other than -1. */
  default boolean hasCheckpoints() {
    return isNonEmpty(checkpointDir()) && getInt(checkpointInterval()) != -1;
  }
}
