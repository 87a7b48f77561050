package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.HadoopFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * A classifier fine-tuned from a language model on a shared {@code local[2]} session: the three ways to name the
 * language model give the same network; a frozen backbone stays the language model's to the bit; ids of another
 * tokenizer and architecture Params that disagree are refused naming both; handleInvalid on the classifier and
 * tokenizer models.
 */
class FineTuningTest {
  static final StructType TEXT = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);
  static SparkSession spark;
  static Dataset<Row> texts;
  static TransformerLMModel lm;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-fine-tuning-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    texts = spark.createDataFrame(StageContractTest.textRows(60), TEXT).repartition(2).cache();
    lm = new TransformerLM().setTokenizerMode("word").setNumLayers(1).setNumHeads(2).setModelDim(8).setBlockSize(8)
        .setMaxIter(3).setBatchSize(4).setWarmupSteps(1).fit(texts);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static TransformerClassifier fineTuner() {
    return new TransformerClassifier().setPooling("last").setMaxIter(3).setBatchSize(8).setWarmupSteps(1)
        .setSeed(4);
  }

  static Dataset<Row> lmIds() {
    return lm.tokenizerModel("text", "ids").transform(texts);
  }

  @Test
  void aFittedModelItsSavedPathAndAModelFolderGiveTheSameNetworkAndAFrozenBackboneStays() throws Exception {
    String saved = dir.resolve("lm-stage").toString();
    lm.write().overwrite().save(saved);
    String folder = dir.resolve("lm-folder").toString(); // what spindle train-lm writes
    HadoopFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(lm.network(), lm.tokenizer()), folder,
        spark.sparkContext().hadoopConfiguration());
    List<EncoderClassifier> networks = new ArrayList<>();
    for (TransformerClassifier c : List.of(fineTuner().setInitialModel(lm), fineTuner().setInitialModelPath(saved),
        fineTuner().setInitialModelPath(folder))) {
      TransformerClassificationModel model = c.setBackboneStepSize(0).fit(lmIds());
      networks.add(model.network());
      assertEquals(lm.tokenizer(), model.tokenizer());
    }
    EncoderConfig config = networks.get(0).config();
    assertEquals(EncoderConfig.Backbone.GPT, config.backbone());
    assertEquals(EncoderConfig.Pooling.LAST, config.pooling());
    assertEquals(lm.network().config().blockSize(), config.maxLength(), "maxSeqLength unset: the block size");
    for (EncoderClassifier n : networks) {
      assertArrayEquals(networks.get(0).parameters().values().toArray(), n.parameters().values().toArray());
    }
    for (String name : lm.network().parameters().names()) {
      assertArrayEquals(lm.network().parameters().get(name).value().toArray(),
          networks.get(0).parameters().get(name).value().toArray(), name + " frozen");
    }
    // the head trained: it is not its initialisation
    EncoderClassifier fresh = EncoderClassifier.fromLanguageModel(lm.network(), config, 4);
    assertFalse(Arrays.equals(fresh.parameters().get("classifier.weight").value().toArray(),
        networks.get(0).parameters().get("classifier.weight").value().toArray()));
    // and with a backbone rate the body moves too
    EncoderClassifier tuned = fineTuner().setInitialModel(lm).setBackboneStepSize(1e-3).fit(lmIds()).network();
    assertFalse(Arrays.equals(lm.network().parameters().get("transformer.h.0.attn.c_attn.weight").value().toArray(),
        tuned.parameters().get("transformer.h.0.attn.c_attn.weight").value().toArray()));
  }

  @Test
  void idsOfAnotherTokenizerAreRefusedNamingBoth() {
    Dataset<Row> charIds = new SpindleTokenizer().fit(texts).transform(texts);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fineTuner().setInitialModel(lm).fit(charIds));
    assertTrue(e.getMessage().contains("the ids in column 'ids' (tokenized from column 'text') come from another "
        + "tokenizer") && e.getMessage().contains("word, vocabulary of " + lm.tokenizer().vocabSize())
        && e.getMessage().contains("tokenizerModel"), e.getMessage());
  }

  @Test
  void architectureParamsThatDisagreeWithTheLanguageModelAreErrors() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fineTuner().setInitialModel(lm).setNumLayers(3).fit(lmIds()));
    assertTrue(e.getMessage().contains("numLayers is 3 but the initial model") && e.getMessage().contains("has 1"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> fineTuner().setInitialModel(lm).setBackbone("encoder").fit(lmIds()));
    assertTrue(e.getMessage().contains("backbone is 'encoder' but an initial model is set"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> fineTuner().setInitialModel(lm).setMaxSeqLength(9).fit(lmIds()));
    assertTrue(e.getMessage().contains("maxSeqLength 9 exceeds the block size 8"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> fineTuner().setInitialModelPath(dir.resolve("nothing").toString()).fit(lmIds()));
    assertTrue(e.getMessage().contains("nothing"), e.getMessage());
  }

  @Test
  void handleInvalidOnTheClassifierModel() {
    TransformerClassificationModel model = fineTuner().setInitialModel(lm).fit(lmIds());
    List<Row> rows = new ArrayList<>(StageContractTest.textRows(4));
    rows.add(RowFactory.create(null, 0.0));
    rows.add(RowFactory.create("", 1.0));
    Dataset<Row> withBad = lm.tokenizerModel("text", "ids").transform(spark.createDataFrame(rows, TEXT));
    Exception e = assertThrows(Exception.class, () -> model.transform(withBad).collectAsList());
    IllegalArgumentException cause = TransformerClassifierInputTest.cause(e);
    assertTrue(cause.getMessage().contains("no token ids in column 'ids' (tokenized from column 'text')"),
        cause.getMessage());
    assertEquals(4, model.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("skip").transform(withBad)
        .count());
    List<Row> kept = model.setHandleInvalid("keep").transform(withBad).select("prediction", "probability")
        .collectAsList();
    assertEquals(6, kept.size());
    for (int i = 0; i < 6; i++) {
      assertEquals(i >= 4, kept.get(i).isNullAt(0), "row " + i);
      assertEquals(i >= 4, kept.get(i).isNullAt(1), "row " + i);
    }
    model.setHandleInvalid("error");
  }

  @Test
  void handleInvalidOnTheTokenizerModel() {
    List<Row> rows = new ArrayList<>(StageContractTest.textRows(3));
    rows.add(RowFactory.create(null, 0.0));
    Dataset<Row> withNull = spark.createDataFrame(rows, TEXT);
    SpindleTokenizerModel tokenizer = lm.tokenizerModel("text", "ids");
    List<Row> kept = tokenizer.transform(withNull).select("ids").collectAsList();
    assertEquals(4, kept.size());
    assertNull(kept.get(3).get(0));
    assertNotNull(kept.get(0).get(0));
    assertEquals(3, tokenizer.setHandleInvalid("skip").transform(withNull).count());
    Exception e = assertThrows(Exception.class,
        () -> tokenizer.setHandleInvalid("error").transform(withNull).collectAsList());
    IllegalArgumentException cause = TransformerClassifierInputTest.cause(e);
    assertTrue(cause.getMessage().contains("null text in column 'text'"), cause.getMessage());
  }
}
