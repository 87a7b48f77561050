package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The training capabilities every family gets from {@link SpindleEstimator} as MLlib Params, shown for the families
 * that did not have them before (the table of issue 10): checkpoints and resume for the translator and the language
 * model, validation and early stopping for both, micro-batches for the classifier and the translator, bf16
 * gradients, and the optimizer and schedule Params (the Noam schedule for the translator). Tiny models on one shared
 * {@code local[2]} session; the classifier's own validation and resume tests are in
 * {@link TransformerClassifierValidationTest}.
 */
class TrainingParamsTest {
  static final StructType PAIRS = new StructType().add("source", DataTypes.StringType)
      .add("target", DataTypes.StringType).add("isValidation", DataTypes.BooleanType);
  static final StructType TEXT = new StructType().add("text", DataTypes.StringType);
  static SparkSession spark;
  static Dataset<Row> pairs;
  static Dataset<Row> texts;
  static Dataset<Row> examples;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-training-params-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    List<Row> rows = new ArrayList<>();
    List<Row> counting = TransformerTranslatorTest.counting(60, 21);
    for (int i = 0; i < counting.size(); i++) {
      rows.add(RowFactory.create(counting.get(i).get(0), counting.get(i).get(1), i % 5 == 0));
    }
    pairs = spark.createDataFrame(rows, PAIRS).repartition(2).cache();
    List<Row> lines = new ArrayList<>();
    for (Row r : StageContractTest.textRows(80)) {
      lines.add(RowFactory.create(r.getString(0)));
    }
    texts = spark.createDataFrame(lines, TEXT).coalesce(2).cache();
    examples = spark.createDataFrame(TransformerClassifierValidationTest.rows(150),
        TransformerClassifierValidationTest.SCHEMA).cache();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static TransformerTranslator translator(int steps) {
    return new TransformerTranslator().setTokenizerMode("word").setNumLayers(1).setNumHeads(2).setModelDim(16)
        .setMaxSourceLength(6).setMaxTargetLength(6).setMaxIter(steps).setBatchSize(8).setWarmupSteps(2)
        .setStepSize(3e-3).setSeed(3);
  }

  static TransformerLM lm(int steps) {
    return new TransformerLM().setNumLayers(1).setNumHeads(2).setModelDim(16).setBlockSize(8).setMaxIter(steps)
        .setBatchSize(8).setWarmupSteps(2).setSeed(3).setValidationFraction(0.2);
  }

  static TransformerClassifier classifier(int steps) {
    return TransformerClassifierValidationTest.classifier(steps);
  }

  static float[] weights(SpindleModel<?, ?, ?> model) {
    return model.network().parameters().values().toArray();
  }

  /** Fits {@code estimator} with its step jobs cancelled from the 4th on; the fit must fail. */
  static void interrupted(SpindleEstimator<?, ?> estimator, Dataset<Row> data) {
    CancelTrainingSteps cancel = new CancelTrainingSteps(spark.sparkContext(), 4);
    spark.sparkContext().addSparkListener(cancel);
    try {
      assertThrows(Exception.class, () -> estimator.fit(data), "a cancelled training step fails the fit");
    } finally {
      spark.sparkContext().removeSparkListener(cancel);
    }
    assertTrue(cancel.cancelled > 0);
  }

  @Test
  void aTranslatorFitInterruptedMidRunResumesFromItsCheckpointToTheUninterruptedWeights() {
    TransformerTranslator uninterrupted = translator(8).setValidationIndicatorCol("isValidation")
        .setValidationInterval(3);
    TransformerTranslationModel expected = uninterrupted.fit(pairs);
    TransformerTranslator checkpointed = uninterrupted.copy(ParamMap.empty())
        .setCheckpointDir(dir.resolve("translator").toUri().toString()).setCheckpointInterval(2);
    interrupted(checkpointed, pairs);
    TransformerTranslationModel resumed = checkpointed.fit(pairs);
    assertTrue(resumed.summary().resumedFrom().isPresent(), "resumed from a checkpoint");
    assertArrayEquals(weights(expected), weights(resumed));
    assertArrayEquals(expected.summary().objectiveHistory(), resumed.summary().objectiveHistory());
    assertArrayEquals(expected.summary().validationLossHistory(), resumed.summary().validationLossHistory());
    assertArrayEquals(new long[] {3, 6, 8}, resumed.summary().validationSteps());
    assertEquals(12, resumed.summary().numValidationPairs());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> checkpointed.copy(ParamMap.empty()).setSchedule("constant").fit(pairs));
    assertTrue(e.getMessage().contains("another run") && e.getMessage().contains("schedule"), e.getMessage());
  }

  @Test
  void aLanguageModelFitInterruptedMidRunResumesToTheUninterruptedWeights() {
    TransformerLM uninterrupted = lm(8).setValidationInterval(4);
    TransformerLMModel expected = uninterrupted.fit(texts);
    TransformerLM checkpointed = uninterrupted.copy(ParamMap.empty())
        .setCheckpointDir(dir.resolve("lm").toUri().toString()).setCheckpointInterval(2);
    interrupted(checkpointed, texts);
    TransformerLMModel resumed = checkpointed.fit(texts);
    assertTrue(resumed.summary().resumedFrom().isPresent(), "resumed from a checkpoint");
    assertArrayEquals(weights(expected), weights(resumed));
    assertArrayEquals(expected.summary().objectiveHistory(), resumed.summary().objectiveHistory());
    assertArrayEquals(expected.summary().validationLossHistory(), resumed.summary().validationLossHistory());
    TransformerLMModel again = checkpointed.fit(texts);
    assertArrayEquals(weights(expected), weights(again), "resuming a finished fit returns its model");
    assertEquals(8, again.summary().totalIterations());
  }

  @Test
  void earlyStoppingStopsTheTranslatorAndTheLanguageModelByItsRule() {
    // a tolerance no validation loss can beat after the first evaluation: patience 2 ends training after step 6
    TransformerTranslationModel translated = translator(20).setValidationIndicatorCol("isValidation")
        .setValidationInterval(2).setEarlyStoppingPatience(2).setValidationTol(10.0).fit(pairs);
    TransformerLMModel modelled = lm(20).setValidationInterval(2).setEarlyStoppingPatience(2).setValidationTol(10.0)
        .fit(texts);
    for (TrainingSummary s : List.of(translated.summary(), modelled.summary())) {
      assertTrue(s.stoppedEarly());
      assertEquals(6, s.totalIterations());
      assertArrayEquals(new long[] {2, 4, 6}, s.validationSteps());
      assertEquals(2, s.bestValidationStep());
      assertEquals(s.validationLossHistory()[0], s.bestValidationLoss());
      assertTrue(s.stopReason().contains("after step 6") && s.stopReason().contains("weights of step 2"),
          s.stopReason());
    }
  }

  @Test
  void earlyStoppingWithoutValidationDataIsRefusedBeforeFittingNamingTheParam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> translator(5).setEarlyStoppingPatience(2).transformSchema(pairs.schema()));
    assertTrue(e.getMessage().contains("earlyStoppingPatience is 2") && e.getMessage().contains(
        "validationIndicatorCol"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> lm(5).setValidationFraction(0).setEarlyStoppingPatience(2).fit(texts));
    assertTrue(e.getMessage().contains("validationFraction is 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> classifier(5).setValidationIndicatorCol("v")
        .setEarlyStoppingPatience(2).setValidationInterval(0).transformSchema(TransformerClassifierValidationTest
            .SCHEMA.add("v", DataTypes.BooleanType)));
    assertTrue(e.getMessage().contains("validationInterval is 0"), e.getMessage());
  }

  @Test
  void microBatchesTrainTheClassifierAndTheTranslatorToTheSameWeightsWithinRounding() {
    float[] whole = weights(classifier(6).fit(examples));
    TransformerClassifier split = classifier(6).setMicroBatches(3);
    assertEquals(3, split.trainingConfig().microBatches());
    assertClose(whole, weights(split.fit(examples)), 1e-5, "classifier, 3 micro-batches against 1");
    // no dropout: a micro-batch seeds its dropout masks by its first draw, so masks would differ
    float[] pairsWhole = weights(translator(6).setDropout(0.0).fit(pairs));
    assertClose(pairsWhole, weights(translator(6).setDropout(0.0).setMicroBatches(3).fit(pairs)), 1e-5,
        "translator, 3 micro-batches against 1");
  }

  @Test
  void bf16GradientsTrainEveryFamilyCloseToFloat32() {
    List<float[][]> runs = List.of(
        new float[][] {weights(translator(4).fit(pairs)), weights(translator(4).setBf16Gradients(true).fit(pairs))},
        new float[][] {weights(lm(4).fit(texts)), weights(lm(4).setBf16Gradients(true).fit(texts))},
        new float[][] {weights(classifier(4).fit(examples)), weights(classifier(4).setBf16Gradients(true)
            .fit(examples))});
    assertTrue(translator(4).setBf16Gradients(true).sparkTrainingOptions().compressGradients());
    for (float[][] run : runs) {
      assertClose(run[0], run[1], 1e-2, "bf16 against float32 gradients");
      assertFalse(java.util.Arrays.equals(run[0], run[1]), "bf16 rounding changes the sums");
    }
  }

  @Test
  void theNoamScheduleIsThePapersAndTheOptimizerIsAParam() {
    double peak = 4e-3;
    int warmup = 4;
    TransformerTranslationModel noam = translator(8).setSchedule("noam").setWarmupSteps(warmup).setStepSize(peak)
        .fit(pairs);
    for (StepMetrics m : noam.summary().progress().stepMetrics()) {
      // "Attention Is All You Need", 5.3, scaled to peak at step warmupSteps: peak * min(n / w, sqrt(w / n))
      double n = m.step();
      assertEquals(peak * Math.min(n / warmup, Math.sqrt(warmup / n)), m.learningRate(), 1e-12, "step " + n);
    }
    TransformerTranslationModel constant = translator(3).setSchedule("constant").setStepSize(peak).fit(pairs);
    constant.summary().progress().stepMetrics().forEach(m -> assertEquals(peak, m.learningRate(), 0.0));

    TransformerTranslator sgd = translator(4).setOptimizer("sgd").setMomentum(0.5);
    assertEquals(TrainingConfig.OptimizerChoice.SGD, sgd.trainingConfig().optimizer());
    assertEquals(0.5, sgd.trainingConfig().momentum());
    assertEquals(0.98, sgd.trainingConfig().beta2(), "the translator's AdamW betas are the paper's");
    assertFalse(java.util.Arrays.equals(weights(translator(4).fit(pairs)), weights(sgd.fit(pairs))),
        "SGD takes other steps than AdamW");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> translator(4).setSchedule("noam").setWarmupSteps(0).transformSchema(pairs.schema()));
    assertTrue(e.getMessage().contains("Noam") && e.getMessage().contains("warmupSteps 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> translator(4).setSchedule("linear"));
    assertThrows(IllegalArgumentException.class, () -> translator(4).setOptimizer("adam"));
  }

  static void assertClose(float[] expected, float[] actual, double relative, String what) {
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < expected.length; i++) {
      diff2 += (double) (actual[i] - expected[i]) * (actual[i] - expected[i]);
      norm2 += (double) expected[i] * expected[i];
    }
    assertTrue(Math.sqrt(diff2) <= relative * Math.sqrt(norm2), what + ": relative difference "
        + Math.sqrt(diff2 / norm2));
  }
}
