package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.metrics.Bleu;
import io.spindle.metrics.ChrF;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator on a {@code local[2]} session: the corpus score summed over partitions equals the hand-computed one
 * ({@code ChrFTest}, {@code BleuTest} hold the arithmetic) and the in-memory corpus score; null references are left
 * out, null translations count as empty; Params, persistence and schema checks as MLlib's.
 */
class TranslationEvaluatorTest {
  static final StructType SCHEMA = new StructType().add("target", DataTypes.StringType)
      .add("translation", DataTypes.StringType);
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-translation-evaluator-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Dataset<Row> frame(String[][] referenceAndTranslation) {
    List<Row> rows = new ArrayList<>();
    for (String[] r : referenceAndTranslation) {
      rows.add(RowFactory.create(r[0], r[1]));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  @Test
  void chrFOverPartitionsIsTheHandComputedCorpusScore() {
    // ChrFTest.corpusScoreSumsStatisticsBeforeScoring: P = 22/45, R = 7/18, F2 = 5PR / (4P + R)
    double p = 22.0 / 45;
    double r = 7.0 / 18;
    Dataset<Row> data = frame(new String[][] {{"abd", "ab c"}, {"aab", "aa"}, {null, "ignored"}});
    assertEquals(100 * 5 * p * r / (4 * p + r), new TranslationEvaluator().evaluate(data), 1e-9);
  }

  @Test
  void bleuAndNullTranslationsMatchTheInMemoryScore() {
    String[][] rows = {{"the cat sat on a mat", "the cat sat on the mat"}, {"a b c d e", "a b c d e"},
        {"x y z w", null}};
    List<String> hyps = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    for (String[] row : rows) {
      refs.add(row[0]);
      hyps.add(row[1] == null ? "" : row[1]);
    }
    TranslationEvaluator evaluator = new TranslationEvaluator().setMetricName("bleu");
    double score = evaluator.evaluate(frame(rows));
    assertEquals(Bleu.corpusScore(hyps, refs), score, 1e-9);
    assertTrue(score > 0 && score < 100, "BLEU " + score);
    assertEquals(ChrF.corpusScore(hyps, refs), evaluator.setMetricName("chrF").evaluate(frame(rows)), 1e-9);
    assertTrue(evaluator.isLargerBetter());
  }

  @Test
  void paramsPersistenceAndSchemaChecks(@TempDir Path dir) throws Exception {
    TranslationEvaluator evaluator = new TranslationEvaluator().setLabelCol("de").setMetricName("bleu");
    assertEquals(3, evaluator.params().length);
    for (Param<?> p : evaluator.params()) {
      assertTrue(evaluator.explainParams().contains(p.name() + ": " + p.doc()), p.name());
    }
    String path = dir.resolve("evaluator").toUri().toString();
    evaluator.write().overwrite().save(path);
    TranslationEvaluator loaded = TranslationEvaluator.load(path);
    assertEquals("de", loaded.getLabelCol());
    assertEquals("bleu", loaded.getMetricName());
    assertEquals("translation", loaded.copy(new ParamMap()).getPredictionCol());
    assertThrows(IllegalArgumentException.class, () -> evaluator.setMetricName("ter"));
    Dataset<Row> numeric = spark.createDataFrame(List.of(RowFactory.create("a", 1)), new StructType()
        .add("target", DataTypes.StringType).add("translation", DataTypes.IntegerType));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TranslationEvaluator().evaluate(numeric));
    assertTrue(e.getMessage().contains("'translation'") && e.getMessage().contains("string"), e.getMessage());
  }
}
