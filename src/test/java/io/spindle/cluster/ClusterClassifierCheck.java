package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.ml.SpindleTokenizer;
import io.spindle.ml.TransformerClassificationModel;
import io.spindle.ml.TransformerClassifier;
import java.io.IOException;
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
 * A driver program of the user's kind, connected to a standalone cluster: this JVM holds the SparkSession, the
 * executors get Spindle from {@code spark.jars} (the shaded jar) alone. It fits a tokenizer → {@link
 * TransformerClassifier} pipeline, saves it, loads it back, and checks the loaded model predicts exactly the same.
 */
final class ClusterClassifierCheck {
  private static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType)
      .add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);

  private ClusterClassifierCheck() {}

  static void fitSaveAndReload(String master, Path jar, Path dir, Path javacppCache) throws IOException {
    SparkSession spark = SparkSession.builder().master(master).appName("spindle classifier on a cluster")
        .config("spark.jars", jar.toString())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.cachedir=" + javacppCache)
        .getOrCreate();
    try {
      Dataset<Row> train = texts(spark, 120, 1);
      Dataset<Row> test = texts(spark, 30, 2);
      TransformerClassifier classifier = new TransformerClassifier().setNumLayers(1).setNumHeads(2)
          .setModelDim(16).setMaxSeqLength(16).setMaxIter(10).setBatchSize(16).setStepSize(5e-3).setWarmupSteps(2)
          .setSeed(3);
      PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {new SpindleTokenizer(), classifier})
          .fit(train);
      assertEquals(3, spark.sparkContext().getExecutorMemoryStatus().size(), "the driver and 2 executors");
      TransformerClassificationModel model = (TransformerClassificationModel) fitted.stages()[1];
      assertEquals(10, model.summary().objectiveHistory().length);

      String path = dir.resolve("pipeline").toUri().toString();
      fitted.write().overwrite().save(path);
      PipelineModel loaded = PipelineModel.load(path);
      // ordered by id: a repartitioned dataset's rows come back in the order the shuffle blocks arrive
      List<Row> before = fitted.transform(test).orderBy("id").select("probability", "prediction").collectAsList();
      List<Row> after = loaded.transform(test).orderBy("id").select("probability", "prediction").collectAsList();
      assertEquals(30, before.size());
      assertEquals(before.size(), after.size());
      for (int i = 0; i < before.size(); i++) {
        assertArrayEquals(before.get(i).<Vector>getAs(0).toArray(), after.get(i).<Vector>getAs(0).toArray());
        assertEquals(before.get(i).getDouble(1), after.get(i).getDouble(1));
      }
      assertTrue(loaded.stages()[1] instanceof TransformerClassificationModel);
    } finally {
      spark.stop();
    }
  }

  /** Class c writes words of the letters {abcd, efgh, ijkl}[c], with one character in six from all twelve. */
  private static Dataset<Row> texts(SparkSession spark, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] alphabets = {"abcd", "efgh", "ijkl"};
    String all = "abcdefghijkl";
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      StringBuilder s = new StringBuilder();
      int length = 4 + r.nextInt(10);
      for (int t = 0; t < length; t++) {
        String from = r.nextInt(6) == 0 ? all : alphabets[label];
        s.append(t % 5 == 4 ? ' ' : from.charAt(r.nextInt(from.length())));
      }
      rows.add(RowFactory.create(i, s.toString(), (double) label));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(2);
  }
}
