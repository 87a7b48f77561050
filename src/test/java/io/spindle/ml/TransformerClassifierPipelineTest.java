package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
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
 * Tokenizer → classifier in an MLlib {@code Pipeline} on a shared {@code local[2]} session: it learns a 3-class
 * synthetic task, works with {@code MulticlassClassificationEvaluator} and {@code CrossValidator}, round-trips through
 * {@code PipelineModel} save/load, and its Params behave as MLlib's do.
 */
class TransformerClassifierPipelineTest {
  static final StructType SCHEMA = new StructType().add("text", DataTypes.StringType).add("label",
      DataTypes.DoubleType);
  static SparkSession spark;
  static Dataset<Row> train;
  static Dataset<Row> test;
  static PipelineModel fitted;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-ml-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    train = texts(240, 1);
    test = texts(90, 2);
    fitted = pipeline(60).fit(train);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** {@code n} texts of {@link ThreeAlphabets}, row i of class i % 3. */
  static Dataset<Row> texts(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      rows.add(RowFactory.create(ThreeAlphabets.text(r, label), (double) label));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }

  static TransformerClassifier classifier(int steps) {
    return new TransformerClassifier().setNumLayers(1).setNumHeads(2).setModelDim(16).setMaxSeqLength(16)
        .setMaxIter(steps).setBatchSize(32).setStepSize(5e-3).setWarmupSteps(5).setSeed(3);
  }

  static Pipeline pipeline(int steps) {
    return new Pipeline().setStages(new PipelineStage[] {new SpindleTokenizer(), classifier(steps)});
  }

  static double accuracy(Dataset<Row> predictions) {
    return new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predictions);
  }

  @Test
  void pipelineLearnsTheTaskAndTheEvaluatorScoresIt() {
    Dataset<Row> predictions = fitted.transform(test);
    double accuracy = accuracy(predictions);
    assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
    Row first = predictions.select("probability", "rawPrediction", "prediction").first();
    Vector p = first.getAs(0);
    assertEquals(3, p.size());
    assertEquals(1.0, p.toArray()[0] + p.toArray()[1] + p.toArray()[2], 1e-9);
    assertEquals((double) first.<Vector>getAs(1).argmax(), first.getDouble(2));
    TransformerClassificationModel model = (TransformerClassificationModel) fitted.stages()[1];
    double[] losses = model.summary().objectiveHistory();
    assertEquals(60, losses.length);
    assertTrue(losses[59] < losses[0] / 3, "loss " + losses[0] + " -> " + losses[59]);
    assertEquals(240, model.summary().numExamples());
  }

  @Test
  void savedAndLoadedPipelineModelPredictsExactlyTheSame(@TempDir Path dir) throws Exception {
    String path = dir.resolve("pipeline").toUri().toString();
    fitted.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    List<Row> before = fitted.transform(test).select("probability", "prediction").collectAsList();
    List<Row> after = loaded.transform(test).select("probability", "prediction").collectAsList();
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i).<Vector>getAs(0).toArray(), after.get(i).<Vector>getAs(0).toArray());
      assertEquals(before.get(i).getDouble(1), after.get(i).getDouble(1));
    }
    TransformerClassificationModel model = (TransformerClassificationModel) loaded.stages()[1];
    assertEquals(16, model.getInt(model.modelDim()));
    assertTrue(!model.hasSummary());
  }

  @Test
  void unfittedStagesRoundTripWithTheirParams(@TempDir Path dir) throws Exception {
    String path = dir.resolve("estimator").toUri().toString();
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new SpindleTokenizer().setMode("word").setMinCount(2), classifier(11).setNumClasses(4)
            .setValidationIndicatorCol("isValidation").setEarlyStoppingPatience(2).setValidationTol(0.01)
            .setCheckpointDir("hdfs:///checkpoints/run1").setCheckpointInterval(-1)});
    pipeline.write().overwrite().save(path);
    PipelineStage[] loaded = Pipeline.load(path).getStages();
    SpindleTokenizer tokenizer = (SpindleTokenizer) loaded[0];
    TransformerClassifier classifier = (TransformerClassifier) loaded[1];
    assertEquals("word", tokenizer.getMode());
    assertEquals(2, tokenizer.getMinCount());
    assertEquals(11, classifier.getInt(classifier.maxIter()));
    assertEquals(4, classifier.getInt(classifier.numClasses()));
    assertEquals("isValidation", classifier.getOrDefault(classifier.validationIndicatorCol()));
    assertEquals(2, classifier.getInt(classifier.earlyStoppingPatience()));
    assertEquals(0.01, classifier.getDouble(classifier.validationTol()));
    assertEquals("hdfs:///checkpoints/run1", classifier.getOrDefault(classifier.checkpointDir()));
    assertEquals(-1, classifier.getInt(classifier.checkpointInterval()));
    assertTrue(!classifier.hasCheckpoints(), "-1 disables checkpoints");
    assertEquals(pipeline.getStages()[1].uid(), classifier.uid());
  }

  @Test
  void crossValidatorOverTwoValuesOfOneParamRunsEndToEnd() {
    Pipeline pipeline = pipeline(10);
    TransformerClassifier classifier = (TransformerClassifier) pipeline.getStages()[1];
    ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.maxIter(), new int[] {3, 15}).build();
    CrossValidatorModel cv = new CrossValidator().setEstimator(pipeline).setEstimatorParamMaps(grid)
        .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(2).setSeed(1)
        .fit(train);
    double[] metrics = cv.avgMetrics();
    assertEquals(2, metrics.length);
    assertTrue(metrics[1] > metrics[0], "15 steps should beat 3: " + metrics[0] + " vs " + metrics[1]);
    PipelineModel best = (PipelineModel) cv.bestModel();
    assertEquals(15, ((TransformerClassificationModel) best.stages()[1]).getInt(classifier.maxIter()));
  }

  @Test
  void explainParamsListsEveryParamWithItsDoc() {
    TransformerClassifier c = new TransformerClassifier();
    String explained = c.explainParams();
    // issue 10: 30, the 24 before and microBatches, optimizer, schedule, momentum, gradClip, bf16Gradients
    // issue 15: 35, with backbone, pooling, initialModelPath, backboneStepSize and handleInvalid
    assertEquals(35, c.params().length);
    for (Param<?> p : c.params()) {
      assertTrue(explained.contains(p.name() + ": " + p.doc()), p.name() + " missing from\n" + explained);
    }
    SpindleTokenizer t = new SpindleTokenizer();
    assertEquals(7, t.params().length); // issue 15 adds handleInvalid
    for (Param<?> p : t.params()) {
      assertTrue(t.explainParams().contains(p.name() + ": " + p.doc()), p.name());
    }
  }

  @Test
  void copyKeepsParamValuesAndAppliesExtras() {
    TransformerClassifier c = classifier(7).setLabelCol("y").setDropout(0.1).setValidationIndicatorCol("v");
    TransformerClassifier copy = c.copy(ParamMap.empty());
    assertEquals(c.uid(), copy.uid());
    for (Param<?> p : c.params()) {
      assertEquals(c.isDefined(p), copy.isDefined(p), p.name());
      if (c.isDefined(p)) { // checkpointDir has no default, as in MLlib
        assertEquals(c.getOrDefault(p), copy.getOrDefault(p), p.name());
      }
    }
    assertTrue(!copy.isDefined(copy.checkpointDir()) && copy.hasValidationIndicatorCol());
    TransformerClassifier extra = c.copy(new ParamMap().put(c.maxIter(), 9));
    assertEquals(9, extra.getInt(extra.maxIter()));
    assertEquals(7, c.getInt(c.maxIter()));
    SpindleTokenizer t = new SpindleTokenizer().setMode("word").setLowercase(true);
    SpindleTokenizer tc = t.copy(ParamMap.empty());
    assertEquals("word", tc.getMode());
    assertTrue(tc.getLowercase());
  }

  @Test
  void transformSchemaNamesTheColumnAndTheExpectedType() {
    StructType wrongIds = new StructType().add("ids", DataTypes.StringType).add("label", DataTypes.DoubleType);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerClassifier().transformSchema(wrongIds));
    assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("array<int>"), e.getMessage());
    StructType wrongLabel = new StructType().add("ids", Schemas.IDS).add("label", DataTypes.StringType);
    e = assertThrows(IllegalArgumentException.class, () -> new TransformerClassifier().transformSchema(wrongLabel));
    assertTrue(e.getMessage().contains("'label'") && e.getMessage().contains("numeric"), e.getMessage());
    StructType wrongText = new StructType().add("text", DataTypes.IntegerType);
    e = assertThrows(IllegalArgumentException.class, () -> new SpindleTokenizer().transformSchema(wrongText));
    assertTrue(e.getMessage().contains("'text'") && e.getMessage().contains("string"), e.getMessage());
    StructType ok = new TransformerClassifier().transformSchema(new StructType().add("ids", Schemas.IDS)
        .add("label", DataTypes.IntegerType));
    assertEquals("prediction", ok.fields()[ok.fields().length - 1].name());
  }
}
