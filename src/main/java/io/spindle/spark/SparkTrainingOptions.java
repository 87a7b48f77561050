package io.spindle.spark;

import io.spindle.train.TrainingLoop;

/**
 * How the Spark trainer spreads and safeguards a run (the optimisation itself is in {@code LmTrainingConfig}; the
 * number of tasks per step is the partition count of the {@link SparkTokenStream}). Validated once.
 *
 * @param microBatches forward/backward passes per task and step: a task's share of the global batch is split into
 *     this many groups (gradient accumulation), bounding activation memory; 1 = one pass
 * @param aggregationDepth depth of {@code treeAggregate}; 0 chooses {@code ceil(log2 P)} clamped to [2, 4]
 * @param compressGradients send gradients as bfloat16 in the aggregation (half the bytes, about 3 significant
 *     digits per element, rounded at every level of the tree)
 * @param checkpointEvery write a checkpoint every this many steps (and after the last); 0 = never
 * @param checkpointDir Hadoop path or URI of the checkpoint directory; null = no checkpoints (and no resume)
 * @param resume continue from the newest valid checkpoint in {@code checkpointDir} (from scratch if there is none)
 * @param keepCheckpoints how many of the newest checkpoints to keep, at least 1
 * @param nonFinite skip a step whose loss or gradient is not finite, or stop training
 */
public record SparkTrainingOptions(int microBatches, int aggregationDepth, boolean compressGradients,
    int checkpointEvery, String checkpointDir, boolean resume, int keepCheckpoints, TrainingLoop.NonFinite nonFinite) {

  public SparkTrainingOptions {
    check(microBatches >= 1, "micro-batches must be >= 1, got " + microBatches);
    check(aggregationDepth >= 0, "aggregation depth must be >= 0 (0 = automatic), got " + aggregationDepth);
    check(checkpointEvery >= 0, "checkpoint interval must be >= 0, got " + checkpointEvery);
    check(checkpointEvery == 0 || checkpointDir != null, "checkpoints every " + checkpointEvery
        + " steps need a checkpoint directory");
    check(!resume || checkpointDir != null, "resume needs a checkpoint directory");
    check(keepCheckpoints >= 1, "keep checkpoints must be >= 1, got " + keepCheckpoints);
    check(nonFinite != null, "non-finite policy is required");
  }

  /** One micro-batch, automatic depth, float32 gradients, no checkpoints, keep 3, skip non-finite steps. */
  public static SparkTrainingOptions defaults() {
    return new SparkTrainingOptions(1, 0, false, 0, null, false, 3, TrainingLoop.NonFinite.SKIP);
  }

  public SparkTrainingOptions withMicroBatches(int microBatches) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, checkpointEvery,
        checkpointDir, resume, keepCheckpoints, nonFinite);
  }

  public SparkTrainingOptions withAggregationDepth(int aggregationDepth) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, checkpointEvery,
        checkpointDir, resume, keepCheckpoints, nonFinite);
  }

  public SparkTrainingOptions withCompressedGradients(boolean compressGradients) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, checkpointEvery,
        checkpointDir, resume, keepCheckpoints, nonFinite);
  }

  /** Checkpoints every {@code every} steps into {@code dir}. */
  public SparkTrainingOptions withCheckpoints(String dir, int every) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, every, dir, resume,
        keepCheckpoints, nonFinite);
  }

  public SparkTrainingOptions withResume(boolean resume) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, checkpointEvery,
        checkpointDir, resume, keepCheckpoints, nonFinite);
  }

  public SparkTrainingOptions withKeepCheckpoints(int keepCheckpoints) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, checkpointEvery,
        checkpointDir, resume, keepCheckpoints, nonFinite);
  }

  public SparkTrainingOptions withNonFinite(TrainingLoop.NonFinite nonFinite) {
    return new SparkTrainingOptions(microBatches, aggregationDepth, compressGradients, checkpointEvery,
        checkpointDir, resume, keepCheckpoints, nonFinite);
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
