package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.Fortunes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's pipeline, as a new user runs it on a few thousand real texts made into a DataFrame from a local list
 * (3,000 English fortunes, whole entries, two classes), makes Spark log no "Broadcasting large task binary" warning
 * (Spark's DAGScheduler logs one for every stage whose task binary exceeds 1,000 KiB): with the README's character
 * tokenizer, and with words at the default vocabulary limit, the case that used to ship the weights of a 121k-word
 * vocabulary. Fewer steps than the README's 100: the size of a step's task binary does not depend on the step count.
 * Skipped when the fortunes packages are not installed.
 */
class TaskBinarySizeTest {
  static SparkSession spark;
  static final AtomicInteger WARNINGS = new AtomicInteger();
  static AbstractAppender appender;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-task-binary-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    appender = new AbstractAppender("task-binary-warnings", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getMessage().getFormattedMessage().contains("Broadcasting large task binary")) {
          WARNINGS.incrementAndGet();
        }
      }
    };
    appender.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().addAppender(appender, Level.WARN, null);
    context.updateLoggers();
  }

  @AfterAll
  static void stop() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    spark.stop();
  }

  /** 3,000 whole English fortunes, labelled by whether their file name sorts before "m". */
  static Dataset<Row> emails() throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Stream<Path> files = Files.list(FortuneLanguages.ROOT)) {
      for (Path f : files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.toString().endsWith(".dat") && !p.toString().endsWith(".u8")).sorted().toList()) {
        double label = f.getFileName().toString().compareTo("m") < 0 ? 0 : 1;
        for (String text : Fortunes.read(f)) {
          rows.add(RowFactory.create(text, label));
        }
      }
    }
    java.util.Collections.shuffle(rows, new java.util.Random(3));
    StructType schema = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);
    return spark.createDataFrame(rows.subList(0, 3000), schema);
  }

  /** The check can fail: a closure over 2 MiB makes Spark log the warning, and the appender sees it. */
  @Test
  void aLargeClosureIsSeen() {
    WARNINGS.set(0);
    byte[] large = new byte[2 << 20];
    long n = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
        .parallelize(List.of(1, 2), 2).map(x -> x + large.length).count();
    assertEquals(2, n);
    assertTrue(WARNINGS.get() > 0, "no warning seen for a 2 MiB closure");
  }

  @ParameterizedTest
  @ValueSource(strings = {"char", "word"})
  void theReadmePipelineLogsNoLargeTaskBinary(String mode) throws Exception {
    Assumptions.assumeTrue(FortuneLanguages.installed(), "fortunes packages not installed (see DATA.md)");
    Dataset<Row>[] split = emails().randomSplit(new double[] {0.8, 0.2}, 42);
    WARNINGS.set(0);
    SpindleTokenizer tokenizer = new SpindleTokenizer().setInputCol("text").setOutputCol("ids").setMode(mode);
    TransformerClassifier classifier = new TransformerClassifier().setFeaturesCol("ids").setLabelCol("label")
        .setNumLayers(1).setNumHeads(2).setModelDim(32).setMaxSeqLength(64).setMaxIter(10).setStepSize(3e-3);
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {tokenizer, classifier}).fit(split[0]);
    assertEquals(split[1].count(), model.transform(split[1]).count());
    SpindleTokenizerModel fitted = (SpindleTokenizerModel) model.stages()[0];
    assertTrue(mode.equals("char") || fitted.tokenizer().vocabSize() > 10_000, "a large word vocabulary: "
        + fitted.tokenizer().vocabSize());
    assertEquals(0, WARNINGS.get(), "'Broadcasting large task binary' warnings with " + mode + " tokens");
  }
}
