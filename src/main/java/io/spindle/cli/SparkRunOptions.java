package io.spindle.cli;

import io.spindle.spark.SparkTrainingOptions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of a training command that runs on Spark ({@code train-lm}, {@code rl}): the master, the partitions,
 * the aggregation, and checkpoints with resume. Without {@code --master} (and when not run by {@code spark-submit},
 * which sets {@code spark.master}) training runs in this process, and the Spark-only options are refused.
 */
final class SparkRunOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Train on Spark at this master URL (local[2], spark://host:7077, yarn...); without it, and when "
          + "not run by spark-submit, training runs in this process.")
  String master;

  @Option(names = "--partitions", description = "Spark: chunks of the training data, i.e. tasks per step "
      + "(default: the context's default parallelism).")
  Integer partitions;

  @Option(names = "--aggregation-depth", defaultValue = "0", description = "Spark: treeAggregate depth, "
      + "0 = automatic (default: ${DEFAULT-VALUE}).")
  int aggregationDepth;

  @Option(names = "--bf16-gradients", description = "Spark: send gradients as bfloat16 in the aggregation.")
  boolean bf16Gradients;

  @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "K", description = "Spark: write a "
      + "checkpoint every K steps, 0 = never (default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--checkpoint-dir", paramLabel = "PATH", description = "Spark: checkpoint directory, any Hadoop "
      + "path (file:, hdfs:, s3a:) (default: the output model folder's checkpoints/).")
  String checkpointDir;

  @Option(names = "--resume", description = "Spark: continue from the newest valid checkpoint.")
  boolean resume;

  @Option(names = "--keep-checkpoints", defaultValue = "3", paramLabel = "N", description = "Spark: keep the newest "
      + "N valid checkpoints, delete older ones (default: ${DEFAULT-VALUE}).")
  int keepCheckpoints;

  /** The master to train on: {@code --master}, else spark-submit's {@code spark.master}; null to train in process. */
  String sparkMaster() {
    return master != null ? master : System.getProperty("spark.master");
  }

  /** Refuses Spark-only options without a master, and impossible values. */
  void check() {
    if (sparkMaster() == null && (checkpointEvery > 0 || checkpointDir != null || resume || partitions != null
        || aggregationDepth != 0 || bf16Gradients)) {
      throw new IllegalArgumentException("--checkpoint-every, --checkpoint-dir, --resume, --partitions, "
          + "--aggregation-depth and --bf16-gradients need --master (Spark training)");
    }
    if (partitions != null) {
      OptionChecks.atLeast("--partitions", partitions, 1);
    }
    OptionChecks.atLeast("--aggregation-depth", aggregationDepth, 0);
    OptionChecks.atLeast("--checkpoint-every", checkpointEvery, 0);
    OptionChecks.atLeast("--keep-checkpoints", keepCheckpoints, 1);
  }

  /**
   * Starts the Spark session of {@code spindle command} (with a master only), once the checkpoint directory of the
   * run whose model folder is {@code target} (absolute, normalized) is checked ({@link
   * SparkTraining#checkCheckpointDir}).
   */
  SparkTraining start(String command, Path target) throws IOException {
    SparkTrainingOptions options = options(target);
    SparkTraining.checkCheckpointDir(options);
    return new SparkTraining(command, sparkMaster(), partitions, options);
  }

  /** The trainer's options for a run whose model folder is {@code target} (absolute, normalized). */
  private SparkTrainingOptions options(Path target) throws IOException {
    String dir = checkpointDir != null ? SparkTraining.checkpointDir(checkpointDir, target)
        : checkpointEvery > 0 || resume ? SparkTraining.defaultCheckpointDir(target) : null;
    return SparkTrainingOptions.defaults().withAggregationDepth(aggregationDepth)
        .withCompressedGradients(bf16Gradients).withCheckpoints(dir, checkpointEvery).withResume(resume, true)
        .withKeepCheckpoints(keepCheckpoints);
  }
}
