package io.spindle.cli;

import io.spindle.data.TokenSplit;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.spark.SparkLmTrainer;
import io.spindle.spark.SparkTokenStream;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.spark.SpindleKryoRegistrator;
import io.spindle.train.LmTrainer;
import io.spindle.train.LmTrainingConfig;
import io.spindle.train.StepMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code train-lm} on Spark: starts a SparkContext (Kryo with Spindle's registrator unless configured otherwise),
 * ships the training tokens to the cluster as {@code --partitions} chunks, trains with {@link SparkLmTrainer} and
 * stops the context. Executors size their BLAS threads from {@code spark.task.cpus}.
 *
 * <p>The default checkpoint directory is {@code MODEL-DIR/checkpoints}, in the live model folder so that it survives
 * an interrupted run; {@link #keepCheckpointsIn} moves it into the staged folder before that replaces the live one.
 */
final class SparkTraining {
  static final String CHECKPOINTS = "checkpoints";

  private final String master;
  private final Integer partitions;
  private final SparkTrainingOptions options;
  private final Path modelDir;

  SparkTraining(String master, Integer partitions, SparkTrainingOptions options, Path modelDir) {
    if (partitions != null && partitions < 1) {
      throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }
    this.master = master;
    this.partitions = partitions;
    this.options = options;
    this.modelDir = modelDir;
  }

  /** Trains {@code model}; returns the last step's metrics (null if a resumed run had nothing left to do). */
  StepMetrics train(Gpt model, LmTrainingConfig training, Tokenizer tokenizer, TokenSplit split,
      LmTrainer.Listener listener) throws IOException {
    SparkConf conf = new SparkConf().setAppName("spindle train-lm").setMaster(master)
        .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .setIfMissing("spark.kryo.registrator", SpindleKryoRegistrator.class.getName())
        .setIfMissing("spark.ui.showConsoleProgress", "false")
        .setIfMissing("spark.log.level", "WARN");
    JavaSparkContext jsc = new JavaSparkContext(conf);
    try (SparkTokenStream data = SparkTokenStream.fromTokens(jsc, split.train(), model.config().blockSize(),
        model.config().vocabSize(), partitions != null ? partitions : jsc.defaultParallelism())) {
      System.err.printf("spindle: Spark %s, master %s, %d partitions%n", jsc.version(), jsc.master(),
          data.partitions());
      SparkLmTrainer trainer = new SparkLmTrainer(model, training, options, tokenizer);
      StepMetrics last = trainer.train(data, split.validation(), listener);
      trainer.resumedFrom().ifPresent(from -> System.err.println("spindle: resumed from " + from));
      return last;
    } finally {
      jsc.stop();
    }
  }

  /** The default checkpoint directory of a model folder, as a Hadoop URI. */
  static String defaultCheckpointDir(Path modelDir) {
    String uri = modelDir.toAbsolutePath().resolve(CHECKPOINTS).toUri().toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri; // toUri() adds "/" once the directory exists
  }

  /** Moves the default checkpoint directory, if used, from the live model folder into {@code staged}. */
  void keepCheckpointsIn(Path staged) throws IOException {
    Path live = modelDir.resolve(CHECKPOINTS);
    if (defaultCheckpointDir(modelDir).equals(options.checkpointDir()) && Files.isDirectory(live)) {
      Files.move(live, staged.resolve(CHECKPOINTS));
    }
  }
}
