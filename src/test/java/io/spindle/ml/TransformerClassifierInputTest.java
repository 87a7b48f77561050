package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Null, empty and out-of-range input to the classifier on a shared {@code local[2]} session (Kryo with
 * registration required, so the ml path ships only registered classes): training skips and counts rows without
 * ids, refuses bad labels and ids naming the column and the value; transform ignores labels (even of classes the
 * model never saw) and names the column of a bad id; evaluate names the offending label. Never a
 * NullPointerException.
 */
class TransformerClassifierInputTest {
  static final StructType SCHEMA = new StructType().add("ids", Schemas.IDS).add("label", DataTypes.DoubleType);
  static SparkSession spark;
  static TransformerClassificationModel model;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-ml-input-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrator", "io.spindle.spark.SpindleKryoRegistrator")
        .config("spark.kryo.registrationRequired", "true")
        .getOrCreate();
    List<Row> rows = new ArrayList<>(base());
    rows.add(RowFactory.create(null, 1.0));
    rows.add(RowFactory.create(List.of(), 0.0));
    model = classifier().fit(spark.createDataFrame(rows, SCHEMA));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static List<Row> base() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(RowFactory.create(List.of(1 + i % 3, 2, 3), (double) (i % 3)));
    }
    return rows;
  }

  static TransformerClassifier classifier() {
    return new TransformerClassifier().setNumLayers(1).setNumHeads(2).setModelDim(8).setMaxSeqLength(8)
        .setMaxIter(2).setBatchSize(8);
  }

  static IllegalArgumentException cause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IllegalArgumentException e) {
        return e;
      }
    }
    throw new AssertionError("no IllegalArgumentException in " + t, t);
  }

  @Test
  void rowsWithoutIdsAreSkippedAndCounted() {
    assertEquals(20, model.summary().numExamples());
    assertEquals(2, model.summary().numSkipped());
    assertEquals(2, model.summary().totalIterations());
    assertEquals(3, model.getNumClassesTrained());
    assertEquals(4, model.network().config().vocabSize(), "largest id 3, no tokenizer metadata");
  }

  @Test
  void badLabelsAreRefusedClearly() {
    List<Row> rows = new ArrayList<>(base());
    rows.add(RowFactory.create(List.of(1), 1.5));
    Dataset<Row> fractional = spark.createDataFrame(rows, SCHEMA);
    IllegalArgumentException e = cause(assertThrows(Exception.class, () -> classifier().fit(fractional)));
    assertTrue(e.getMessage().contains("label 1.5 in column 'label'"), e.getMessage());
    Dataset<Row> tooLarge = spark.createDataFrame(base(), SCHEMA);
    e = assertThrows(IllegalArgumentException.class, () -> classifier().setNumClasses(2).fit(tooLarge));
    assertTrue(e.getMessage().contains("label 2") && e.getMessage().contains("numClasses"), e.getMessage());
    rows = new ArrayList<>(base());
    rows.add(RowFactory.create(List.of(1), null));
    Dataset<Row> nullLabel = spark.createDataFrame(rows, SCHEMA);
    e = cause(assertThrows(Exception.class, () -> classifier().fit(nullLabel)));
    assertTrue(e.getMessage().contains("null label in column 'label'"), e.getMessage());
  }

  @Test
  void negativeAndFractionalAndNaNLabelsAreRefusedNamingTheColumnAndValue() {
    for (double bad : new double[] {-1.0, 0.5, Double.NaN}) {
      List<Row> rows = new ArrayList<>(base());
      rows.add(RowFactory.create(List.of(1, 2), bad));
      Dataset<Row> data = spark.createDataFrame(rows, SCHEMA);
      IllegalArgumentException e = cause(assertThrows(Exception.class, () -> classifier().fit(data)));
      assertTrue(e.getMessage().contains("label " + bad + " in column 'label'"), e.getMessage());
    }
  }

  @Test
  void idsOutsideTheVocabularyOrNullAreRefusedNamingTheColumnAndId() {
    List<Row> rows = new ArrayList<>(base());
    rows.add(RowFactory.create(List.of(1, -2, 3), 0.0));
    Dataset<Row> negative = spark.createDataFrame(rows, SCHEMA);
    IllegalArgumentException e = cause(assertThrows(Exception.class, () -> classifier().fit(negative)));
    assertTrue(e.getMessage().contains("token id -2 in column 'ids'"), e.getMessage());
    Dataset<Row> tooLarge = spark.createDataFrame(base(), SCHEMA);
    e = assertThrows(IllegalArgumentException.class, () -> classifier().setVocabSize(3).fit(tooLarge));
    assertTrue(e.getMessage().contains("token id 3 in column 'ids'") && e.getMessage().contains("3 tokens"),
        e.getMessage());
    rows = new ArrayList<>(base());
    rows.add(RowFactory.create(java.util.Arrays.asList(1, null, 3), 0.0));
    Dataset<Row> nullId = spark.createDataFrame(rows, SCHEMA);
    e = cause(assertThrows(Exception.class, () -> classifier().fit(nullId)));
    assertTrue(e.getMessage().contains("null token id at position 1 in column 'ids'"), e.getMessage());
  }

  @Test
  void transformNamesTheColumnOfARowWithoutIdsOrWithABadId() {
    for (List<Integer> ids : java.util.Arrays.<List<Integer>>asList(null, List.of())) {
      List<Row> rows = new ArrayList<>(base());
      rows.add(RowFactory.create(ids, 0.0));
      Dataset<Row> withoutIds = spark.createDataFrame(rows, SCHEMA);
      IllegalArgumentException e = cause(assertThrows(Exception.class,
          () -> model.transform(withoutIds).collectAsList()));
      assertTrue(e.getMessage().contains("no token ids in column 'ids'"), e.getMessage());
    }
    Dataset<Row> outside = spark.createDataFrame(List.of(RowFactory.create(List.of(1, 4), 0.0)), SCHEMA);
    IllegalArgumentException e = cause(assertThrows(Exception.class,
        () -> model.transform(outside).collectAsList()));
    assertTrue(e.getMessage().contains("token id 4") && e.getMessage().contains("position 1 in column 'ids'"),
        e.getMessage());
    Dataset<Row> nullId = spark.createDataFrame(List.of(RowFactory.create(java.util.Arrays.asList(1, null), 0.0)),
        SCHEMA);
    e = cause(assertThrows(Exception.class, () -> model.transform(nullId).collectAsList()));
    assertTrue(e.getMessage().contains("null token id at position 1 in column 'ids'"), e.getMessage());
  }

  @Test
  void transformIgnoresTheLabelEvenOfAClassTheModelNeverSaw() {
    List<Row> rows = new ArrayList<>(base());
    rows.add(RowFactory.create(List.of(1, 2), 7.0));
    rows.add(RowFactory.create(List.of(3), null));
    List<Row> scored = model.transform(spark.createDataFrame(rows, SCHEMA)).select("label", "prediction")
        .collectAsList();
    assertEquals(22, scored.size());
    assertEquals(7.0, scored.get(20).getDouble(0), "the label passes through unchanged");
    assertTrue(scored.get(21).isNullAt(0));
    for (Row r : scored) {
      assertTrue(r.getDouble(1) >= 0 && r.getDouble(1) < 3, "prediction " + r.getDouble(1));
    }
  }

  @Test
  void evaluateReportsALabelOutsideTheTrainedClasses() {
    assertEquals(20, model.evaluate(spark.createDataFrame(base(), SCHEMA)).count());
    List<Row> rows = new ArrayList<>(base());
    rows.add(RowFactory.create(List.of(1, 2), 3.0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.evaluate(spark.createDataFrame(rows, SCHEMA)));
    assertTrue(e.getMessage().contains("label 3.0 in column 'label'") && e.getMessage().contains("0..2"),
        e.getMessage());
  }
}
