package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier's validation indicator column, early stopping and checkpoints on a shared {@code local[2]} session:
 * validation rows are only scored (a fit with them marked trains to the bits of a fit without them), evaluations land
 * in the summary every validationInterval steps; early stopping stops by its rule and says why; a fit whose Spark
 * jobs are cancelled mid-run resumes from its checkpoint to the weights of an uninterrupted fit; misuse is refused
 * naming the param or column.
 */
class TransformerClassifierValidationTest {
  static final StructType SCHEMA = new StructType().add("ids", Schemas.IDS).add("label", DataTypes.DoubleType)
      .add("isValidation", DataTypes.BooleanType);
  static SparkSession spark;
  static Dataset<Row> data;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-ml-validation-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    data = spark.createDataFrame(rows(150), SCHEMA);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Class c draws most ids from {1+4c .. 4+4c}, one in five from 0..12; every fifth row is for validation. */
  static List<Row> rows(int n) {
    SplittableRandom r = new SplittableRandom(4);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = r.nextInt(3);
      List<Integer> ids = new ArrayList<>();
      for (int t = 3 + r.nextInt(6); t > 0; t--) {
        ids.add(r.nextInt(5) == 0 ? r.nextInt(13) : 1 + 4 * label + r.nextInt(4));
      }
      rows.add(RowFactory.create(ids, (double) label, i % 5 == 0));
    }
    return rows;
  }

  static TransformerClassifier classifier(int steps) {
    return new TransformerClassifier().setNumLayers(1).setNumHeads(2).setModelDim(16).setMaxSeqLength(12)
        .setMaxIter(steps).setBatchSize(16).setStepSize(3e-3).setWarmupSteps(2).setSeed(5).setVocabSize(13);
  }

  static IllegalArgumentException cause(Throwable t) {
    return TransformerClassifierInputTest.cause(t);
  }

  @Test
  void validationRowsAreOnlyScoredAndEveryIntervalLandsInTheSummary() {
    TransformerClassificationModel model = classifier(12).setValidationIndicatorCol("isValidation")
        .setValidationInterval(5).fit(data);
    TransformerClassificationTrainingSummary s = model.summary();
    assertEquals(120, s.numExamples());
    assertEquals(30, s.numValidationExamples());
    assertArrayEquals(new long[] {5, 10, 12}, s.validationSteps());
    double[] losses = s.validationLossHistory();
    assertEquals(3, losses.length);
    assertEquals(3, s.validationAccuracyHistory().length);
    assertTrue(losses[2] < losses[0], "validation loss " + losses[0] + " -> " + losses[2]);
    assertFalse(s.stoppedEarly());
    assertEquals("completed all 12 steps", s.stopReason());
    assertEquals(12, s.totalIterations());

    TransformerClassificationModel withoutValidationRows = classifier(12)
        .fit(data.where(functions.not(functions.col("isValidation"))));
    assertArrayEquals(withoutValidationRows.network().parameters().values().toArray(),
        model.network().parameters().values().toArray(), "validation rows must not be trained on");
    assertArrayEquals(withoutValidationRows.summary().objectiveHistory(), s.objectiveHistory());
    assertEquals(0, withoutValidationRows.summary().validationLossHistory().length);
    assertTrue(Double.isNaN(withoutValidationRows.summary().bestValidationLoss()));
  }

  @Test
  void earlyStoppingStopsByItsRuleAndSaysWhy() {
    // a tolerance no validation loss can beat after the first evaluation: patience 2 ends training after step 6
    TransformerClassificationModel model = classifier(20).setValidationIndicatorCol("isValidation")
        .setValidationInterval(2).setEarlyStoppingPatience(2).setValidationTol(10.0).fit(data);
    TransformerClassificationTrainingSummary s = model.summary();
    assertTrue(s.stoppedEarly());
    assertEquals(6, s.totalIterations());
    assertArrayEquals(new long[] {2, 4, 6}, s.validationSteps());
    assertEquals(2, s.bestValidationStep());
    assertEquals(s.validationLossHistory()[0], s.bestValidationLoss());
    assertTrue(s.stopReason().contains("after step 6") && s.stopReason().contains("weights of step 2"),
        s.stopReason());
  }

  @Test
  void earlyStoppingWithoutAValidationColumnIsRefusedBeforeFitting() {
    TransformerClassifier c = classifier(5).setEarlyStoppingPatience(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.fit(data));
    assertTrue(e.getMessage().contains("earlyStoppingPatience is 3") && e.getMessage().contains(
        "validationIndicatorCol"), e.getMessage());
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {c});
    assertThrows(IllegalArgumentException.class, () -> pipeline.fit(data));
    assertEquals(5, classifier(5).setValidationTol(0.5).fit(data).summary().totalIterations(),
        "validationTol alone is unused without a validation column");
  }

  @Test
  void aBadValidationColumnIsRefusedNamingIt() {
    Dataset<Row> asString = data.withColumn("isValidation", functions.col("isValidation").cast("string"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> classifier(2).setValidationIndicatorCol("isValidation").fit(asString));
    assertTrue(e.getMessage().contains("'isValidation'") && e.getMessage().contains("boolean"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> classifier(2).setValidationIndicatorCol("missing").fit(data));
    assertTrue(e.getMessage().contains("'missing' does not exist"), e.getMessage());
    List<Row> rows = new ArrayList<>(rows(20));
    rows.add(RowFactory.create(List.of(1, 2), 0.0, null));
    Dataset<Row> withNull = spark.createDataFrame(rows, SCHEMA);
    e = cause(assertThrows(Exception.class,
        () -> classifier(2).setValidationIndicatorCol("isValidation").fit(withNull)));
    assertTrue(e.getMessage().contains("null in the validation indicator column 'isValidation'"), e.getMessage());
    Dataset<Row> none = data.withColumn("isValidation", functions.lit(false));
    e = assertThrows(IllegalArgumentException.class,
        () -> classifier(2).setValidationIndicatorCol("isValidation").fit(none));
    assertTrue(e.getMessage().contains("'isValidation' marks no row"), e.getMessage());
  }

  @Test
  void aFitInterruptedMidRunResumesFromItsCheckpointToTheUninterruptedWeights() {
    TransformerClassifier uninterrupted = classifier(10).setValidationIndicatorCol("isValidation")
        .setValidationInterval(3);
    TransformerClassificationModel expected = uninterrupted.fit(data);
    String checkpoints = dir.resolve("checkpoints").toUri().toString();
    TransformerClassifier checkpointed = uninterrupted.copy(new org.apache.spark.ml.param.ParamMap())
        .setCheckpointDir(checkpoints).setCheckpointInterval(2);
    CancelTrainingSteps cancel = new CancelTrainingSteps(spark.sparkContext(), 5);
    spark.sparkContext().addSparkListener(cancel);
    try {
      assertThrows(Exception.class, () -> checkpointed.fit(data), "a cancelled training step fails the fit");
    } finally {
      spark.sparkContext().removeSparkListener(cancel);
    }
    assertTrue(cancel.cancelled > 0);
    TransformerClassificationModel resumed = checkpointed.fit(data);
    assertTrue(resumed.summary().resumedFrom().isPresent(), "resumed from a checkpoint");
    assertArrayEquals(expected.network().parameters().values().toArray(),
        resumed.network().parameters().values().toArray());
    assertArrayEquals(expected.summary().objectiveHistory(), resumed.summary().objectiveHistory());
    assertArrayEquals(expected.summary().validationLossHistory(), resumed.summary().validationLossHistory());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> checkpointed.copy(new org.apache.spark.ml.param.ParamMap()).setMaxIter(12).fit(data));
    assertTrue(e.getMessage().contains("another run") && e.getMessage().contains("steps: 12 in this run, 10 in the "
        + "checkpoint"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> classifier(2).setCheckpointInterval(0));
  }
}
