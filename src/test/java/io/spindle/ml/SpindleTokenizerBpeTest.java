package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.spindle.data.BpeTokenizer;
import io.spindle.data.TokenizerOptions;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/** {@link SpindleTokenizer} in mode {@code "bpe"}: the merges of the rows learned in-process, ids, persistence. */
class SpindleTokenizerBpeTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-bpe-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void learnsTheMergesOfTheRowsAndEncodesEachRow(@TempDir Path dir) throws Exception {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      texts.add("row " + i + ": the tokenizer's tokens, tokenized " + "again ".repeat(i % 4) + "— ✓");
    }
    List<Row> rows = new ArrayList<>();
    texts.forEach(t -> rows.add(RowFactory.create(t)));
    rows.add(RowFactory.create((Object) null));
    Dataset<Row> data = spark.createDataFrame(rows, new StructType().add("text", DataTypes.StringType))
        .repartition(3);

    SpindleTokenizer estimator = new SpindleTokenizer().setMode("bpe").setMaxVocabSize(280).setMinCount(2);
    assertEquals(TokenizerOptions.DEFAULT_MAX_VOCAB_SIZE, new SpindleTokenizer().getMaxVocabSize());
    SpindleTokenizerModel model = estimator.fit(data);
    BpeTokenizer expected = BpeTokenizer.learn(texts, TokenizerOptions.defaults().withMaxVocabSize(280)
        .withMinCount(2));
    assertEquals(expected, assertInstanceOf(BpeTokenizer.class, model.tokenizer()));
    assertEquals(280, model.tokenizer().vocabSize());

    for (Row r : model.transform(data).where("text is not null").collectAsList()) {
      List<Integer> ids = r.getList(r.fieldIndex("ids"));
      assertArrayEquals(expected.encode(r.getString(0)), ids.stream().mapToInt(Integer::intValue).toArray());
    }
    String path = dir.resolve("tokenizer").toString();
    model.write().save(path);
    assertEquals(expected, SpindleTokenizerModel.load(path).tokenizer());
  }
}
