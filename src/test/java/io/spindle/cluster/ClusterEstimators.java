package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.ml.SpindleTokenizer;
import io.spindle.ml.ThreeAlphabets;
import io.spindle.ml.TransformerClassificationModel;
import io.spindle.ml.TransformerClassifier;
import io.spindle.ml.TransformerTranslationModel;
import io.spindle.ml.TransformerTranslator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A driver program of the user's kind: this JVM holds the SparkSession, on a standalone cluster (the executors get
 * Spindle from {@code spark.jars}, the shaded jar, alone) or in {@code local[2]}. It fits a tokenizer → {@link
 * TransformerClassifier} pipeline and a {@link TransformerTranslator} on the same two partitions of the same rows,
 * saves both, and checks that the loaded pipeline predicts exactly what the fitted one did. The saved weights of two
 * such fits, one per master, can then be compared byte for byte ({@link Fitted}).
 */
final class ClusterEstimators {
  private static final StructType LABELLED = new StructType().add("id", DataTypes.IntegerType)
      .add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);
  private static final StructType PAIRS = new StructType().add("source", DataTypes.StringType)
      .add("target", DataTypes.StringType);

  /** Where the fitted stages' weights were saved ({@code data/model.safetensors} under each stage's path). */
  record Fitted(Path classifierWeights, Path translatorWeights) {}

  private ClusterEstimators() {}

  /**
   * Fits both stages at {@code master}, with {@code jar} as {@code spark.jars} unless null (local mode), saving them
   * under {@code dir}; {@code executors} is how many executors the fit must have seen (0 in local mode).
   */
  static Fitted fitAndSave(String master, Path jar, Path dir, Path javacppCache, int executors) throws IOException {
    SparkSession.Builder builder = SparkSession.builder().master(master).appName("spindle estimators on " + master)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        // the rows are sliced into 2 partitions wherever they run (a cluster's default is its cores, local[2]'s 2)
        .config("spark.default.parallelism", "2")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.cachedir=" + javacppCache);
    if (jar != null) {
      builder.config("spark.jars", jar.toString());
    }
    SparkSession spark = builder.getOrCreate();
    try {
      Path classifier = classifier(spark, dir.resolve("classifier"));
      assertEquals(executors + 1, spark.sparkContext().getExecutorMemoryStatus().size(),
          "the driver and " + executors + " executors");
      Path translator = translator(spark, dir.resolve("translator"));
      return new Fitted(classifier, translator);
    } finally {
      spark.stop();
    }
  }

  private static Path classifier(SparkSession spark, Path dir) throws IOException {
    Dataset<Row> train = texts(spark, 120, 1);
    Dataset<Row> test = texts(spark, 30, 2);
    TransformerClassifier classifier = new TransformerClassifier().setNumLayers(1).setNumHeads(2)
        .setModelDim(16).setMaxSeqLength(16).setMaxIter(10).setBatchSize(16).setStepSize(5e-3).setWarmupSteps(2)
        .setSeed(3);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {new SpindleTokenizer(), classifier})
        .fit(train);
    TransformerClassificationModel model = (TransformerClassificationModel) fitted.stages()[1];
    assertEquals(10, model.summary().objectiveHistory().length);

    String path = dir.resolve("pipeline").toUri().toString();
    fitted.write().overwrite().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    List<Row> before = fitted.transform(test).orderBy("id").select("probability", "prediction").collectAsList();
    List<Row> after = loaded.transform(test).orderBy("id").select("probability", "prediction").collectAsList();
    assertEquals(30, before.size());
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i).<Vector>getAs(0).toArray(), after.get(i).<Vector>getAs(0).toArray());
      assertEquals(before.get(i).getDouble(1), after.get(i).getDouble(1));
    }
    assertTrue(loaded.stages()[1] instanceof TransformerClassificationModel);
    return secondStage(dir.resolve("pipeline/stages")).resolve("data/model.safetensors");
  }

  private static Path translator(SparkSession spark, Path dir) throws IOException {
    TransformerTranslationModel model = new TransformerTranslator().setTokenizerMode("word").setNumLayers(1)
        .setNumHeads(2).setModelDim(16).setMaxSourceLength(8).setMaxTargetLength(8).setMaxIter(8).setBatchSize(8)
        .setStepSize(3e-3).setWarmupSteps(2).setSeed(5).fit(pairs(spark, 80));
    assertEquals(8, model.summary().objectiveHistory().length);
    model.write().overwrite().save(dir.resolve("model").toUri().toString());
    return dir.resolve("model/data/model.safetensors");
  }

  /** The folder of a saved pipeline's second stage: MLlib names them {@code INDEX_UID}. */
  private static Path secondStage(Path stages) throws IOException {
    try (var folders = Files.list(stages)) {
      return folders.filter(p -> p.getFileName().toString().startsWith("1_")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no second stage under " + stages));
    }
  }

  /** {@code n} texts of {@link ThreeAlphabets}, row i of class i % 3. */
  private static Dataset<Row> texts(SparkSession spark, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      rows.add(RowFactory.create(i, ThreeAlphabets.text(r, label), (double) label));
    }
    return spark.createDataFrame(rows, LABELLED);
  }

  /** A toy language pair: the target is the source's words, each spelt backwards, in reverse order. */
  private static Dataset<Row> pairs(SparkSession spark, int n) {
    String[] words = {"red", "blue", "cat", "dog", "runs", "sleeps", "big", "small"};
    SplittableRandom r = new SplittableRandom(9);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> source = new ArrayList<>();
      for (int w = 2 + r.nextInt(4); w > 0; w--) {
        source.add(words[r.nextInt(words.length)]);
      }
      List<String> target = new ArrayList<>();
      for (String w : source) {
        target.add(0, new StringBuilder(w).reverse().toString());
      }
      rows.add(RowFactory.create(String.join(" ", source), String.join(" ", target)));
    }
    return spark.createDataFrame(rows, PAIRS);
  }
}
