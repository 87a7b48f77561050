package io.spindle.spark;

/**
 * How the Spark trainer spreads and safeguards a run (the optimisation itself, micro-batches and the non-finite
 * policy included, is the {@code io.spindle.train.TrainingConfig}; the number of tasks per step is the partition count
 * of the data). Validated once.
 *
 * @param aggregationDepth depth of {@code treeAggregate}; 0 chooses {@code ceil(log2 P)} clamped to [2, 4]
 * @param compressGradients send gradients as bfloat16 in the aggregation (half the bytes, about 3 significant
 *     digits per element, rounded at every level of the tree)
 * @param checkpointEvery write a checkpoint every this many steps (and when the run ends); 0 = never
 * @param checkpointDir Hadoop path or URI of the checkpoint directory; null = no checkpoints (and no resume)
 * @param resume continue from the newest valid checkpoint in {@code checkpointDir} (from scratch if there is none)
 * @param moreSteps when resuming, accept a checkpoint of a run with fewer steps, and continue a finished one to this
 *     run's steps (the command line's "raise --steps to train further"); otherwise the steps must be equal, as an
 *     MLlib fit must give what an uninterrupted fit gives
 * @param keepCheckpoints how many of the newest checkpoints to keep, at least 1
 */
public record SparkTrainingOptions(int aggregationDepth, boolean compressGradients, int checkpointEvery,
    String checkpointDir, boolean resume, boolean moreSteps, int keepCheckpoints) {

  public SparkTrainingOptions {
    check(aggregationDepth >= 0, "aggregation depth must be >= 0 (0 = automatic), got " + aggregationDepth);
    check(checkpointEvery >= 0, "checkpoint interval must be >= 0, got " + checkpointEvery);
    check(checkpointEvery == 0 || checkpointDir != null, "checkpoints every " + checkpointEvery
        + " steps need a checkpoint directory");
    check(!resume || checkpointDir != null, "resume needs a checkpoint directory");
    check(keepCheckpoints >= 1, "keep checkpoints must be >= 1, got " + keepCheckpoints);
  }

  /** Automatic depth, float32 gradients, no checkpoints, keep 3. */
  public static SparkTrainingOptions defaults() {
    return new SparkTrainingOptions(0, false, 0, null, false, false, 3);
  }

  public SparkTrainingOptions withAggregationDepth(int aggregationDepth) {
    return new SparkTrainingOptions(aggregationDepth, compressGradients, checkpointEvery, checkpointDir, resume,
        moreSteps, keepCheckpoints);
  }

  public SparkTrainingOptions withCompressedGradients(boolean compressGradients) {
    return new SparkTrainingOptions(aggregationDepth, compressGradients, checkpointEvery, checkpointDir, resume,
        moreSteps, keepCheckpoints);
  }

  /** Checkpoints every {@code every} steps into {@code dir}. */
  public SparkTrainingOptions withCheckpoints(String dir, int every) {
    return new SparkTrainingOptions(aggregationDepth, compressGradients, every, dir, resume, moreSteps,
        keepCheckpoints);
  }

  /** Resumes (or not) from the checkpoints; with {@code moreSteps}, as the class comment says. */
  public SparkTrainingOptions withResume(boolean resume, boolean moreSteps) {
    return new SparkTrainingOptions(aggregationDepth, compressGradients, checkpointEvery, checkpointDir, resume,
        moreSteps, keepCheckpoints);
  }

  /** Resumes (or not), with the same steps. */
  public SparkTrainingOptions withResume(boolean resume) {
    return withResume(resume, false);
  }

  public SparkTrainingOptions withKeepCheckpoints(int keepCheckpoints) {
    return new SparkTrainingOptions(aggregationDepth, compressGradients, checkpointEvery, checkpointDir, resume,
        moreSteps, keepCheckpoints);
  }

  /** The treeAggregate depth for {@code partitions} partitions. */
  public int depthFor(int partitions) {
    if (aggregationDepth > 0) {
      return aggregationDepth;
    }
    int log2 = 32 - Integer.numberOfLeadingZeros(Math.max(1, partitions - 1)); // ceil(log2 P)
    return Math.max(2, Math.min(4, log2));
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("Spark training options: " + message);
    }
  }
}
