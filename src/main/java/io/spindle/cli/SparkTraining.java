package io.spindle.cli;

import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.Gpt;
import io.spindle.spark.CheckpointStore;
import io.spindle.spark.QuietSparkLogs;
import io.spindle.spark.SparkTokenStream;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.spark.SparkVocabulary;
import io.spindle.spark.SpindleSparkConf;
import io.spindle.train.DataPart;
import io.spindle.train.Objective;
import io.spindle.train.StepListener;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * {@code train-lm} on Spark: starts a SparkContext (unless configured otherwise: {@link SpindleSparkConf}'s defaults, the
 * root log level WARN, no delay scheduling ({@link #LOCALITY_WAIT}); and always the {@link QuietSparkLogs} plugin),
 * reads {@code --text} with {@code textFile} (any Hadoop path: {@code file:}, {@code hdfs:}, {@code s3a:}; files
 * compressed by a codec Hadoop knows by its extension, such as {@code .gz}, are decompressed), learns the tokenizer
 * and tokenizes the lines on the executors ({@link SparkVocabulary}, {@link SparkTokenStream#fromText}), trains with
 * {@link SparkTrainer}, and stops the context on {@link #close()}. Executors size their BLAS threads from
 * {@code spark.task.cpus}.
 *
 * <p>The text is the files' lines in order joined by newlines, so it differs from the in-process reading only in
 * line ends: {@code \r\n} and {@code \r} become {@code \n}, and a file's final newline is dropped.
 *
 * <p>The default checkpoint directory is {@code MODEL-DIR/checkpoints}, in the live model folder so that it survives
 * an interrupted run; the staged folder carries it over when it replaces the live one ({@link StagedFolder}).
 * {@link #checkpointDir} maps every local spelling of that path to the default one and refuses other places inside
 * the model folder, which the replacement would delete.
 */
final class SparkTraining implements AutoCloseable {
  static final String CHECKPOINTS = "checkpoints";
  /**
   * No delay scheduling: a step's task runs on the first free executor even when its cached chunk lives on a busy
   * one. Spark's default (3s) outlasts a whole step, so once an executor is lost and its chunks are recomputed on a
   * survivor, every later step would wait for that survivor and the replacement executor would idle to the end. The
   * price is a remote read of the chunk (4 bytes per token) by the executor that does not hold it.
   */
  static final String LOCALITY_WAIT = "0s";

  private final JavaSparkContext jsc;
  private final int partitions;
  private final SparkTrainingOptions options;

  /** Starts the context of {@code spindle command}. */
  SparkTraining(String command, String master, Integer partitions, SparkTrainingOptions options) {
    if (partitions != null && partitions < 1) {
      throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }
    SparkConf conf = SpindleSparkConf.withDefaults(new SparkConf().setAppName("spindle " + command).setMaster(master))
        .setIfMissing("spark.ui.showConsoleProgress", "false")
        .setIfMissing("spark.log.level", "WARN")
        .setIfMissing("spark.locality.wait", LOCALITY_WAIT);
    addPlugin(conf, QuietSparkLogs.class.getName());
    this.jsc = new JavaSparkContext(conf);
    this.partitions = partitions != null ? partitions : jsc.defaultParallelism();
    this.options = options;
  }

  JavaSparkContext context() {
    return jsc;
  }

  /** Partitions of the training data: {@code --partitions}, else the context's default parallelism. */
  int partitions() {
    return partitions;
  }

  /** Says on stderr which Spark runs the job, and on how many partitions. */
  void announce(int dataPartitions) {
    System.err.printf("spindle: Spark %s, master %s, %d partitions%n", jsc.version(), jsc.master(), dataPartitions);
  }

  /**
   * The lines of {@code texts} in order. Throws {@link IllegalArgumentException} naming a path that matches no file
   * or only empty ones.
   */
  JavaRDD<String> lines(List<String> texts) throws IOException {
    for (String text : texts) {
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(text);
      FileSystem fs = path.getFileSystem(jsc.hadoopConfiguration());
      FileStatus[] matches = fs.globStatus(path);
      if (matches == null || matches.length == 0) {
        throw new IllegalArgumentException("text file " + text + " does not exist");
      }
      long bytes = 0;
      for (FileStatus m : matches) {
        bytes += m.isDirectory() ? fs.getContentSummary(m.getPath()).getLength() : m.getLen();
      }
      if (bytes == 0) {
        throw new IllegalArgumentException("text file " + text + " is empty");
      }
    }
    return jsc.textFile(String.join(",", texts));
  }

  /** Learns the tokenizer from {@code lines} on the executors. */
  Tokenizer learnTokenizer(JavaRDD<String> lines, String type, TokenizerOptions tokenizerOptions) {
    return SparkVocabulary.learn(lines, type, tokenizerOptions);
  }

  /** Tokenizes {@code lines} on the executors into the cached training chunks and the validation tail. */
  SparkTokenStream tokenize(JavaRDD<String> lines, Tokenizer tokenizer, int blockSize, double validationFraction) {
    SparkTokenStream data = SparkTokenStream.fromText(lines, tokenizer, blockSize, partitions, validationFraction);
    announce(data.partitions());
    return data;
  }

  /** The stream's first token, the prompt of the sample printed after training. */
  static int[] firstToken(SparkTokenStream data) {
    return new int[] {data.chunks().first().tokens()[0]};
  }

  /**
   * Trains {@code model} on {@code data}, validating on its held-out tail as {@code policy} says; says on stderr
   * which checkpoint it resumed from, if any, before the first step. Returns the run's progress, the steps of the
   * run resumed included.
   */
  TrainingProgress train(Gpt model, TrainingConfig training, ValidationPolicy policy, Tokenizer tokenizer,
      SparkTokenStream data, StepListener listener) throws IOException {
    return trainer(data.objective(model.config(), training), model, training, tokenizer)
        .train(data, data.validation(), policy, listener);
  }

  /**
   * A trainer of {@code model} with this session's options, which says on stderr which checkpoint it resumed from,
   * if any, before the first step.
   */
  <D extends DataPart> SparkTrainer<Gpt, D> trainer(Objective<Gpt, D> objective, Gpt model, TrainingConfig training,
      Tokenizer tokenizer) {
    SparkTrainer<Gpt, D> trainer = new SparkTrainer<>(objective, model, training, options, tokenizer, tokenizer);
    trainer.onResume(from -> System.err.println("spindle: resumed from " + from));
    return trainer;
  }

  /**
   * Refuses, before the context starts and any text is read, a checkpoint directory that already holds checkpoints
   * of an earlier run when not resuming (the trainer checks again, and the rest, once it starts).
   */
  static void checkCheckpointDir(SparkTrainingOptions options) throws IOException {
    if (options.checkpointDir() == null || options.resume()) {
      return;
    }
    org.apache.hadoop.conf.Configuration conf = SparkHadoopUtil.get().newConfiguration(new SparkConf());
    CheckpointStore store = CheckpointStore.open(options.checkpointDir(), conf);
    List<String> existing = store.committed();
    if (!existing.isEmpty()) {
      throw new IllegalArgumentException("checkpoint directory " + store.location() + " already holds checkpoints"
          + " (newest: " + existing.get(0) + "); resume from them with --resume, or use an empty directory");
    }
  }

  /** Adds {@code plugin} to {@code spark.plugins}, after those already set. */
  static void addPlugin(SparkConf conf, String plugin) {
    String plugins = conf.get("spark.plugins", "").strip();
    if (!Arrays.asList(plugins.split("\\s*,\\s*")).contains(plugin)) {
      conf.set("spark.plugins", plugins.isEmpty() ? plugin : plugins + "," + plugin);
    }
  }

  @Override
  public void close() {
    jsc.stop();
  }

  /** The default checkpoint directory of a model folder, as a Hadoop URI. */
  static String defaultCheckpointDir(Path modelDir) {
    String uri = modelDir.toAbsolutePath().resolve(CHECKPOINTS).toUri().toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri; // toUri() adds "/" once the directory exists
  }

  /**
   * The checkpoint directory for {@code --checkpoint-dir given} and the model folder {@code modelDir} (absolute,
   * normalized): {@link #defaultCheckpointDir} when {@code given} names {@code MODEL-DIR/checkpoints} on the local
   * file system however it is spelled (plain or {@code file:}, relative or absolute, through symbolic links),
   * {@code given} unchanged when it lies outside the model folder or on another file system. Throws
   * {@link IllegalArgumentException} for any other place inside the model folder (or the folder itself): replacing
   * the folder when training ends would delete it.
   */
  static String checkpointDir(String given, Path modelDir) throws IOException {
    URI uri = new org.apache.hadoop.fs.Path(given).toUri();
    if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
      return given;
    }
    Path local = real(Path.of(uri.getPath()).toAbsolutePath().normalize());
    Path model = real(modelDir);
    if (local.equals(model.resolve(CHECKPOINTS))) {
      return defaultCheckpointDir(modelDir);
    }
    if (local.startsWith(model)) {
      throw new IllegalArgumentException("--checkpoint-dir " + given + " lies inside the model folder " + modelDir
          + ", which is replaced when training ends; use " + modelDir.resolve(CHECKPOINTS)
          + " (the default) or a folder outside the model folder");
    }
    return given;
  }

  /** {@code path} with its longest existing prefix resolved to the real path (symbolic links followed). */
  private static Path real(Path path) throws IOException {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing == null ? path : existing.toRealPath().resolve(existing.relativize(path));
  }
}
