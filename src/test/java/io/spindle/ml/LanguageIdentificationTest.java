package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
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

/**
 * Language identification on fortunes in 5 languages (en, de, es, it, ru): {@link SpindleTokenizer} (characters) →
 * {@link TransformerClassifier} in a {@code Pipeline} on {@code local[2]}, accuracy on a 20% held-out split.
 *
 * <p>The test runs a small slice (300 entries per language, each cut to its first 64 characters; 250 steps of 32)
 * so it stays fast, and asserts 88% (it reaches 91.2%); skipped when the fortunes packages are not installed. The
 * full-size run takes every entry (74,162; each cut to 96 characters), 2 layers of width 64, 800 steps, and asserts
 * the 95%: {@code mvn -q -B test -Dtest=LanguageIdentificationTest -Dspindle.langid.full=true}; it printed
 * {@code accuracy 0.9612} on 14,682 held-out entries after 431 s of training in {@code local[2]} on a loaded
 * 2-core machine (before the GELU/LayerNorm/AdamW kernel changes, which round differently), and
 * {@code accuracy 0.9578} after 301 s of training since (the slice prints the same losses and accuracy with and
 * without the classifier's validation and checkpoint work).
 */
class LanguageIdentificationTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("spindle-langid-test");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void identifiesFiveLanguagesOnAHeldOutSplit() throws Exception {
    Assumptions.assumeTrue(FortuneLanguages.installed(), "fortunes packages not installed (see DATA.md)");
    boolean full = Boolean.getBoolean("spindle.langid.full");
    List<FortuneLanguages.Entry> entries = FortuneLanguages.read(full ? 0 : 300, full ? 96 : 64, 17);
    List<Row> rows = new ArrayList<>();
    for (FortuneLanguages.Entry e : entries) {
      rows.add(RowFactory.create(e.text(), (double) e.label()));
    }
    StructType schema = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);
    Dataset<Row>[] split = spark.createDataFrame(rows, schema).repartition(2).randomSplit(new double[] {0.8, 0.2},
        5);
    TransformerClassifier classifier = new TransformerClassifier().setNumLayers(full ? 2 : 1).setNumHeads(4)
        .setModelDim(full ? 64 : 32).setMaxSeqLength(full ? 96 : 64).setMaxIter(full ? 800 : 250)
        .setBatchSize(32).setStepSize(3e-3).setWarmupSteps(20).setSeed(1);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {new SpindleTokenizer(), classifier});
    long start = System.nanoTime();
    PipelineModel model = pipeline.fit(split[0]);
    double seconds = (System.nanoTime() - start) / 1e9;
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(model.transform(split[1]));
    System.out.printf("language id (%s): %d entries, %d held out, accuracy %.4f, trained in %.1f s%n",
        full ? "full" : "slice", entries.size(), split[1].count(), accuracy, seconds);
    assertTrue(accuracy >= (full ? 0.95 : 0.88), "held-out accuracy " + accuracy);
  }
}
