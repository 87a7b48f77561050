package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Texts;
import io.spindle.data.TokenSplit;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.train.Perplexity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
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
 * {@link TransformerLM} on a slice of the Jargon File in a shared {@code local[2]} session, fitted once
 * inside a {@code Pipeline}: it learns beyond unigram statistics, scores real text above shuffled text, generates
 * deterministically, round-trips through save/load and {@code PipelineModel}, skips null rows, and its Params behave
 * as MLlib's do.
 */
class TransformerLMTest {
  static final Path JARGON = Path.of("/usr/share/doc/jargon-text/jargon.txt.gz");
  static final StructType TEXT = new StructType().add("text", DataTypes.StringType);
  static final StructType SCORED = new StructType().add("text", DataTypes.StringType)
      .add("prompt", DataTypes.StringType);
  static final int NULL_ROWS = 7;
  static final int STEPS = 250;
  static SparkSession spark;
  static String corpus;
  static String trainingText;
  static PipelineModel fitted;
  static TransformerLMModel model;
  static Dataset<Row> heldOut;

  @BeforeAll
  static void fit() throws Exception {
    assumeTrue(Files.isReadable(JARGON), "jargon-text is not installed");
    spark = SparkSession.builder().master("local[2]").appName("spindle-lm-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    corpus = Texts.read(JARGON);
    String slice = corpus.substring(250_000, 450_000); // glossary entries, in training and validation alike
    slice = slice.substring(slice.indexOf('\n') + 1, slice.lastIndexOf('\n'));
    List<String> lines = Arrays.asList(slice.split("\n", -1));
    trainingText = String.join("\n", lines);
    List<Row> rows = new ArrayList<>();
    int nulls = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (i % 300 == 17 && nulls++ < NULL_ROWS) {
        rows.add(RowFactory.create((Object) null));
      }
      rows.add(RowFactory.create(lines.get(i)));
    }
    Dataset<Row> train = spark.createDataFrame(rows, TEXT).coalesce(2);
    TransformerLM lm = new TransformerLM().setNumHeads(2).setModelDim(48).setBlockSize(48)
        .setBatchSize(24).setMaxIter(STEPS).setStepSize(8e-3).setWarmupSteps(10).setValidationInterval(STEPS / 2)
        .setSeed(3);
    fitted = new Pipeline().setStages(new PipelineStage[] {lm}).fit(train);
    model = (TransformerLMModel) fitted.stages()[0];
    heldOut = spark.createDataFrame(scoredRows(), SCORED).coalesce(2);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** Held-out Jargon text (from well past the training slice) in rows of 200 characters, and a few odd rows. */
  static List<Row> scoredRows() {
    String text = corpus.substring(600_000, 606_000);
    List<Row> rows = new ArrayList<>();
    String[] prompts = {"hacker ", "The ", "hacker "};
    for (int i = 0; i < text.length() / 200; i++) {
      rows.add(RowFactory.create(text.substring(200 * i, 200 * (i + 1)), prompts[i % 3]));
    }
    rows.add(RowFactory.create("x", null)); // one token: nothing to predict
    rows.add(RowFactory.create(null, ""));
    return rows;
  }

  /** {@code text} with its characters shuffled: the same unigram statistics, no structure. */
  static String shuffled(String text, long seed) {
    int[] cps = text.codePoints().toArray();
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = cps.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = cps[i];
      cps[i] = cps[j];
      cps[j] = t;
    }
    return new String(cps, 0, cps.length);
  }

  @Test
  void trainingGoesWellBelowTheUnigramEntropyAndCountsTheNullRows() {
    TransformerLMTrainingSummary s = model.summary();
    int[] ids = model.tokenizer().encode(trainingText);
    assertEquals(CharTokenizer.learn(List.of(trainingText), model.tokenizerOptions()), model.tokenizer());
    assertEquals(ids.length, s.numTrainingTokens() + s.numValidationTokens(), "the null rows add no tokens");
    assertEquals(NULL_ROWS, s.numSkipped());
    assertEquals(trainingText.split("\n", -1).length, s.numRows());
    TokenSplit split = TokenSplit.of(ids, 0.05);
    assertEquals(split.validation().length, s.numValidationTokens());
    double unigram = unigramEntropy(split.train(), split.validation());
    assertEquals(STEPS, s.totalIterations());
    assertEquals(List.of(STEPS / 2L, (long) STEPS),
        Arrays.stream(s.validationSteps()).boxed().collect(Collectors.toList()));
    System.out.println("jargon LM: validation loss " + s.finalValidationLoss() + ", unigram entropy " + unigram);
    // This seeded run reaches about unigram - 0.50 (2.66 vs 3.16 nats/char; the loss leaves the unigram plateau
    // after ~150 steps). 0.35 leaves room for the float reassociation of other partitionings or BLAS backends, and
    // is still a third off the perplexity: the model uses its context.
    assertTrue(s.finalValidationLoss() < unigram - 0.35,
        "validation loss " + s.finalValidationLoss() + " vs unigram entropy " + unigram);
    assertTrue(s.validationLossHistory()[1] < s.validationLossHistory()[0], Arrays.toString(s.validationLossHistory()));
  }

  @Test
  void realTextHasALowerPerplexityThanShuffledTextAndShortRowsGetNull() {
    List<Row> rows = model.transform(heldOut).select("text", "perplexity").collectAsList();
    List<Row> shuffledRows = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      String text = rows.get(i).getString(0);
      shuffledRows.add(RowFactory.create(text == null ? null : shuffled(text, i), null));
    }
    List<Row> scrambled = model.transform(spark.createDataFrame(shuffledRows, SCORED)).select("perplexity")
        .collectAsList();
    int scored = rows.size() - 2;
    double real = 0;
    double noise = 0;
    int lower = 0;
    for (int i = 0; i < scored; i++) {
      double p = rows.get(i).getDouble(1);
      assertTrue(Double.isFinite(p) && p > 1, "perplexity " + p);
      real += Math.log(p) / scored;
      noise += Math.log(scrambled.get(i).getDouble(0)) / scored;
      lower += p < scrambled.get(i).getDouble(0) ? 1 : 0;
    }
    assertTrue(real < noise - 0.3, "mean log perplexity: real " + real + ", shuffled " + noise);
    assertEquals(scored, lower, "every real row beats its shuffled self");
    assertTrue(rows.get(scored).isNullAt(1), "a one-token row");
    assertTrue(rows.get(scored + 1).isNullAt(1), "a null row");
    String first = rows.get(0).getString(0);
    double expected = Math.exp(Perplexity.score(model.network(), model.tokenizer().encode(first), 16).meanLoss());
    // the same windows, packed with other rows' windows into other forward passes: float rounding only
    assertEquals(expected, rows.get(0).getDouble(1), 1e-5 * expected, "the measure of spindle score");
  }

  @Test
  void generationIsDeterministicPerPromptAndSeed() {
    TransformerLMModel generating = model.copy(ParamMap.empty()).setPromptCol("prompt")
        .setMaxNewTokens(40).setPerplexityCol("");
    List<Row> once = generating.transform(heldOut).select("prompt", "generated").collectAsList();
    List<Row> again = generating.transform(heldOut.repartition(3)).select("prompt", "generated").collectAsList();
    Map<String, String> byPrompt = new HashMap<>();
    for (Row r : once) {
      if (r.isNullAt(0) || r.getString(0).isEmpty()) {
        assertTrue(r.isNullAt(1), "no prompt, no text");
        continue;
      }
      String text = r.getString(1);
      assertTrue(text.length() > 0 && text.length() <= 40, text);
      String previous = byPrompt.putIfAbsent(r.getString(0), text);
      assertTrue(previous == null || previous.equals(text), "equal prompts, equal text: " + previous + " / " + text);
    }
    assertEquals(2, byPrompt.size());
    for (Row r : again) {
      if (!r.isNullAt(1)) {
        assertEquals(byPrompt.get(r.getString(0)), r.getString(1), "another partitioning, the same text");
      }
    }
    String other = generating.copy(new ParamMap().put(generating.generationSeed(), 7L)).transform(heldOut.limit(1))
        .first().getAs("generated");
    assertNotEquals(byPrompt.get("hacker "), other, "another seed, another draw");
    Dataset<Row> unknown = spark.createDataFrame(List.of(RowFactory.create("abc", "snow\u2603man")), SCORED);
    Exception e = assertThrows(Exception.class, () -> generating.transform(unknown).collectAsList());
    String messages = messages(e);
    assertTrue(messages.contains("'prompt'") && messages.contains("\u2603"), messages);
  }

  @Test
  void savedAndLoadedModelsTransformExactlyTheSame(@TempDir Path dir) throws Exception {
    TransformerLMModel generating = model.copy(ParamMap.empty()).setPromptCol("prompt")
        .setMaxNewTokens(20);
    String path = dir.resolve("lm").toUri().toString();
    generating.write().overwrite().save(path);
    TransformerLMModel loaded = TransformerLMModel.load(path);
    assertEquals(generating.uid(), loaded.uid());
    assertEquals("prompt", loaded.getPromptCol());
    assertFalse(loaded.hasSummary());
    assertEquals(rows(generating.transform(heldOut)), rows(loaded.transform(heldOut)));
    ModelFolder.Contents<Gpt> folder = ModelFolder.load(GptFormat.INSTANCE, dir.resolve("lm").resolve("data"));
    assertEquals(model.network().config(), folder.model().config());
    assertEquals(model.tokenizer(), folder.tokenizer());

    String pipelinePath = dir.resolve("pipeline").toUri().toString();
    fitted.write().overwrite().save(pipelinePath);
    PipelineModel pipeline = PipelineModel.load(pipelinePath);
    assertEquals(rows(fitted.transform(heldOut)), rows(pipeline.transform(heldOut)));
  }

  static List<String> rows(Dataset<Row> df) {
    return df.collectAsList().stream().map(Row::toString).collect(Collectors.toList());
  }

  @Test
  void explainParamsListsEveryParamAndCopyKeepsValues() {
    TransformerLM lm = new TransformerLM().setMaxIter(7).setTokenizerMode("word")
        .setPromptCol("p").setTemperature(0.5);
    String explained = lm.explainParams();
    // issue 10: 34, the 25 before (evalInterval now the shared validationInterval) and earlyStoppingPatience,
    // validationTol, checkpointDir, checkpointInterval, optimizer, schedule, momentum, gradClip, bf16Gradients
    assertEquals(34, lm.params().length);
    for (Param<?> p : lm.params()) {
      assertTrue(explained.contains(p.name() + ": " + p.doc()), p.name() + " missing from\n" + explained);
    }
    TransformerLM copy = lm.copy(ParamMap.empty());
    assertEquals(lm.uid(), copy.uid());
    for (Param<?> p : lm.params()) {
      assertEquals(lm.isDefined(p), copy.isDefined(p), p.name());
      if (lm.isDefined(p)) {
        assertEquals(lm.getOrDefault(p), copy.getOrDefault(p), p.name());
      }
    }
    TransformerLM extra = lm.copy(new ParamMap().put(lm.maxIter(), 9));
    assertEquals(9, extra.getInt(extra.maxIter()));
    assertEquals(7, lm.getInt(lm.maxIter()));
    assertEquals(34, model.params().length);
    assertEquals(STEPS, model.getInt(model.maxIter()), "the model carries the estimator's values");
  }

  @Test
  void unfittedEstimatorRoundTripsWithItsParams(@TempDir Path dir) throws Exception {
    String path = dir.resolve("estimator").toUri().toString();
    TransformerLM lm = new TransformerLM().setTokenizerMode("word").setMinCount(3)
        .setValidationFraction(0.2).setPromptCol("p");
    lm.write().overwrite().save(path);
    TransformerLM loaded = TransformerLM.load(path);
    assertEquals("word", loaded.getTokenizerMode());
    assertEquals(3, loaded.getInt(loaded.minCount()));
    assertEquals(0.2, loaded.getDouble(loaded.validationFraction()));
    assertEquals("p", loaded.getPromptCol());
    assertEquals(lm.uid(), loaded.uid());
  }

  @Test
  void transformSchemaNamesTheColumnAndTheExpectedType() {
    StructType wrongText = new StructType().add("text", DataTypes.IntegerType);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerLM().transformSchema(wrongText));
    assertTrue(e.getMessage().contains("'text'") && e.getMessage().contains("string")
        && e.getMessage().contains("int"), e.getMessage());
    StructType wrongPrompt = new StructType().add("text", DataTypes.StringType).add("p", DataTypes.DoubleType);
    e = assertThrows(IllegalArgumentException.class,
        () -> model.copy(ParamMap.empty()).setPromptCol("p").transformSchema(wrongPrompt));
    assertTrue(e.getMessage().contains("'p'") && e.getMessage().contains("string"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerLM().transformSchema(new StructType().add("words", DataTypes.StringType)));
    assertTrue(e.getMessage().contains("'text'") && e.getMessage().contains("does not exist"), e.getMessage());
    StructType out = model.copy(ParamMap.empty()).setPromptCol("prompt").transformSchema(SCORED);
    assertEquals(List.of("text", "prompt", "perplexity", "generated"), Arrays.asList(out.fieldNames()));
    assertEquals(DataTypes.DoubleType, out.apply("perplexity").dataType());
    e = assertThrows(IllegalArgumentException.class, () -> new TransformerLM().setModelDim(30)
        .setNumHeads(4).gptConfig(10));
    assertTrue(e.getMessage().contains("modelDim 30") && e.getMessage().contains("numHeads 4"), e.getMessage());
  }

  @Test
  void aColumnOfOnlyNullsIsRefused() {
    Dataset<Row> nulls = spark.createDataFrame(List.of(RowFactory.create((Object) null)), TEXT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TransformerLM().fit(nulls));
    assertTrue(e.getMessage().contains("'text'") && e.getMessage().contains("all null"), e.getMessage());
  }

  /** Cross-entropy of the validation tokens under the training tokens' unigram frequencies (add-one smoothed). */
  static double unigramEntropy(int[] train, int[] validation) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int t : train) {
      counts.merge(t, 1, Integer::sum);
    }
    double total = train.length + counts.size() + 1;
    double nll = 0;
    for (int t : validation) {
      nll -= Math.log((counts.getOrDefault(t, 0) + 1) / total);
    }
    return nll / validation.length;
  }

  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append(" | ");
    }
    return sb.toString();
  }
}
