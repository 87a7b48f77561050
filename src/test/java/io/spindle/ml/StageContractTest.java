package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract over every MLlib stage of {@code io.spindle.ml}, in the spirit of MLlib's
 * {@code ParamsSuite.checkParams} and {@code DefaultReadWriteTest}: the Params (each found by {@code Params.params},
 * owned by the stage, created per stage, documented in {@code explainParams}, with the defaults that
 * {@code docs/mllib.md} lists, and a model with its estimator's), {@code copy} (values kept and extras applied, the
 * uid kept as MLlib's copies keep it), the save/load round trip (the same uid and Params, and for a model the same
 * output of {@code transform} on a small dataset), and {@code transformSchema} refusing a wrong column with a
 * message naming it. Tiny models trained a few steps on one shared {@code local[2]} session.
 */
class StageContractTest {
  static final Path DOCS = Path.of("docs", "mllib.md");
  static final StructType TEXT = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);
  static final StructType PAIRS = new StructType().add("source", DataTypes.StringType)
      .add("target", DataTypes.StringType);
  static SparkSession spark;
  static Dataset<Row> texts;
  static Dataset<Row> ids;
  static Dataset<Row> pairs;
  static Map<String, Map<String, String>> documented;
  static List<Stage> stages;

  @TempDir
  static Path dir;

  /**
   * A stage under test: a fresh one for copy checks ({@code fresh}), the dataset its {@code transform} (or
   * {@code evaluate}) reads, the documented section its Params are in, and schemas with one wrong column each.
   */
  record Stage(String name, Params stage, Dataset<Row> data, String documentedAs, Map<String, StructType> wrong) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void fitEveryFamily() throws IOException {
    spark = SparkSession.builder().master("local[2]").appName("spindle-stage-contract")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
    texts = spark.createDataFrame(textRows(48), TEXT).repartition(2).cache();
    pairs = spark.createDataFrame(pairRows(32), PAIRS).repartition(2).cache();
    documented = documentedDefaults(Files.readAllLines(DOCS, StandardCharsets.UTF_8));

    SpindleTokenizer tokenizer = new SpindleTokenizer().setMinCount(1);
    SpindleTokenizerModel tokenizerModel = tokenizer.fit(texts);
    ids = tokenizerModel.transform(texts).cache();
    TransformerClassifier classifier = new TransformerClassifier().setNumLayers(1).setNumHeads(2).setModelDim(8)
        .setMaxSeqLength(16).setMaxIter(2).setBatchSize(8).setWarmupSteps(1);
    TransformerLM lm = new TransformerLM().setNumLayers(1).setNumHeads(2).setModelDim(8).setBlockSize(8)
        .setMaxIter(2).setBatchSize(4).setWarmupSteps(1).setValidationFraction(0.1);
    TransformerTranslator translator = new TransformerTranslator().setTokenizerMode("word").setNumLayers(1)
        .setNumHeads(2).setModelDim(8).setMaxSourceLength(8).setMaxTargetLength(8).setMaxIter(2).setBatchSize(8)
        .setWarmupSteps(1);
    TransformerLMModel lmModel = lm.fit(texts).setPromptCol("prompt").setMaxNewTokens(4);
    Dataset<Row> prompted = texts.withColumn("prompt", functions.substring(functions.col("text"), 1, 2));
    String lmPath = dir.resolve("lm").toString();
    lmModel.write().overwrite().save(lmPath);
    Dataset<Row> lmIds = lmModel.tokenizerModel("text", "ids").transform(texts).cache();
    TransformerClassifier fineTuner = new TransformerClassifier().setInitialModelPath(lmPath).setPooling("last")
        .setBackboneStepSize(1e-4).setMaxIter(2).setBatchSize(8).setWarmupSteps(1);
    TranslationEvaluator evaluator = new TranslationEvaluator().setPredictionCol("source");
    PolicyGradientTuner tuner = new PolicyGradientTuner().setInitialModel(lmModel).setReward("vowels")
        .setSamplesPerPrompt(2).setMaxNewTokens(4).setMaxIter(1).setBatchSize(2);

    StructType intText = new StructType().add("text", DataTypes.IntegerType);
    StructType intSource = new StructType().add("source", DataTypes.IntegerType).add("target", DataTypes.StringType);
    stages = List.of(
        new Stage("SpindleTokenizer", tokenizer, texts, "SpindleTokenizer", Map.of("text", intText)),
        new Stage("SpindleTokenizerModel", tokenizerModel, texts, "SpindleTokenizer", Map.of("text", intText)),
        new Stage("TransformerClassifier", classifier, ids, "TransformerClassifier", Map.of(
            "ids", new StructType().add("ids", DataTypes.StringType).add("label", DataTypes.DoubleType),
            "label", new StructType().add("ids", Schemas.IDS).add("label", DataTypes.StringType))),
        new Stage("TransformerClassificationModel", classifier.fit(ids), ids, "TransformerClassifier",
            Map.of("ids", new StructType().add("ids", DataTypes.createArrayType(DataTypes.LongType)))),
        new Stage("TransformerClassifier (fine-tuning)", fineTuner, lmIds, "TransformerClassifier", Map.of(
            "ids", new StructType().add("ids", DataTypes.StringType).add("label", DataTypes.DoubleType))),
        new Stage("TransformerClassificationModel (fine-tuned)", fineTuner.fit(lmIds), lmIds,
            "TransformerClassifier", Map.of("ids", new StructType().add("ids", DataTypes.createArrayType(
                DataTypes.LongType)))),
        new Stage("TransformerLM", lm, texts, "TransformerLM", Map.of("text", intText)),
        new Stage("TransformerLMModel", lmModel, prompted, "TransformerLM", Map.of("text", intText.add("prompt",
            DataTypes.StringType), "prompt", new StructType().add("text", DataTypes.StringType).add("prompt",
                DataTypes.LongType))),
        new Stage("TransformerTranslator", translator, pairs, "TransformerTranslator", Map.of("source", intSource,
            "target", new StructType().add("source", DataTypes.StringType).add("target", DataTypes.BooleanType))),
        new Stage("TransformerTranslationModel", translator.fit(pairs), pairs, "TransformerTranslator",
            Map.of("source", intSource)),
        new Stage("TranslationEvaluator", evaluator, pairs, "TranslationEvaluator", Map.of("target",
            new StructType().add("source", DataTypes.StringType).add("target", DataTypes.IntegerType))),
        new Stage("PolicyGradientTuner", tuner, prompted, "PolicyGradientTuner", Map.of("prompt",
            new StructType().add("prompt", DataTypes.LongType))));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  static Stream<Stage> stages() {
    return stages.stream();
  }

  /** Rows of a few words over {ab, cd, ef}, the label the row's index mod 2. */
  static List<Row> textRows(int n) {
    SplittableRandom r = new SplittableRandom(5);
    String[] words = {"ab", "cd", "ef", "abc", "fed"};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder s = new StringBuilder();
      for (int w = 0, k = 2 + r.nextInt(3); w < k; w++) {
        s.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
      }
      rows.add(RowFactory.create(s.toString(), (double) (i % 2)));
    }
    return rows;
  }

  /** Rows of 1 to 3 counting words and their German. */
  static List<Row> pairRows(int n) {
    return TransformerTranslatorTest.counting(n, 11).stream().map(r -> RowFactory.create(r.get(0), r.get(1)))
        .toList();
  }

  /**
   * The defaults {@code docs/mllib.md} gives, by stage: each table after a {@code <!-- params: A B ... -->} line has
   * a column of defaults for each stage named there, after the Param's name; "—" is no default.
   */
  static Map<String, Map<String, String>> documentedDefaults(List<String> markdown) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (int i = 0; i < markdown.size(); i++) {
      String line = markdown.get(i).strip();
      if (!line.startsWith("<!-- params:")) {
        continue;
      }
      String[] names = line.substring("<!-- params:".length(), line.indexOf("-->")).strip().split("\\s+");
      int row = i + 1;
      while (row < markdown.size() && !markdown.get(row).strip().startsWith("|")) {
        row++;
      }
      for (row += 2; row < markdown.size() && markdown.get(row).strip().startsWith("|"); row++) {
        String[] cells = markdown.get(row).strip().split("\\|");
        String param = cells[1].replace("`", "").strip();
        for (int s = 0; s < names.length; s++) {
          Map<String, String> defaults = out.computeIfAbsent(names[s], k -> new LinkedHashMap<>());
          if (defaults.put(param, cells[2 + s].replace("`", "").strip()) != null) {
            fail(DOCS + " lists " + param + " of " + names[s] + " twice");
          }
        }
      }
    }
    return out;
  }

  /** {@code p}'s default as the docs write it: its JSON encoding, or "—" without one. */
  @SuppressWarnings("unchecked")
  static String defaultOf(Params stage, Param<?> p) {
    return stage.hasDefault(p) ? ((Param<Object>) p).jsonEncode(stage.getDefault(p).get()) : "—";
  }

  @ParameterizedTest
  @MethodSource("stages")
  void paramsAreFoundOwnedDocumentedAndHaveTheDocumentedDefaults(Stage s) {
    Params stage = s.stage();
    Param<?>[] params = stage.params();
    assertTrue(params.length > 0);
    List<String> names = Arrays.stream(params).map(Param::name).toList();
    assertEquals(names.stream().sorted().toList(), names, "Params.params lists each Param once, by name");
    assertEquals(names.stream().distinct().count(), names.size(), "one Param per name: " + names);
    String explained = stage.explainParams();
    Map<String, String> defaults = new TreeMap<>();
    for (Param<?> p : params) {
      assertEquals(stage.uid(), p.parent(), p.name() + " belongs to its stage");
      assertSame(p, stage.getParam(p.name()));
      assertFalse(p.doc().isBlank(), p.name() + " is documented");
      assertTrue(explained.contains(p.name() + ": " + p.doc()), p.name() + " missing from\n" + explained);
      if (stage.hasDefault(p)) {
        assertTrue(((Param<Object>) p).isValid().apply(stage.getDefault(p).get()) == Boolean.TRUE,
            p.name() + "'s default passes its own validator");
      }
      defaults.put(p.name(), defaultOf(stage, p));
    }
    Map<String, String> docs = documented.get(s.documentedAs());
    assertTrue(docs != null, DOCS + " has no <!-- params: " + s.documentedAs() + " --> table");
    assertEquals(new TreeMap<>(docs), defaults, "the Params and defaults of " + s.name() + " against " + DOCS);
  }

  @ParameterizedTest
  @MethodSource("stages")
  void copyKeepsTheUidAndValuesAppliesExtrasAndOwnsItsParams(Stage s) {
    Params stage = s.stage().copy(ParamMap.empty());
    Param<?> numeric = Arrays.stream(stage.params()).filter(p -> p instanceof IntParam || p instanceof DoubleParam
        || p instanceof LongParam || p instanceof BooleanParam).filter(stage::isDefined).findFirst().orElse(null);
    Param<?> any = numeric != null ? numeric : stage.params()[0];
    Object changed = changed(stage, any);
    stage.set((Param<Object>) any, changed);
    Params copy = stage.copy(ParamMap.empty());
    assertEquals(stage.uid(), copy.uid(), "copy keeps the uid, as MLlib's defaultCopy and model copies do");
    assertEquals(stage.getClass(), copy.getClass());
    for (Param<?> p : stage.params()) {
      Param<?> theirs = copy.getParam(p.name());
      assertNotSame(p, theirs, p.name() + ": each stage object has its own Params");
      assertEquals(stage.isDefined(p), copy.isDefined(theirs), p.name());
      assertEquals(stage.isSet(p), copy.isSet(theirs), p.name());
      if (stage.isDefined(p)) {
        assertEquals(stage.getOrDefault(p), copy.getOrDefault(theirs), p.name());
      }
    }
    Object extra = changed(stage, any);
    Params withExtra = stage.copy(new ParamMap().put((Param<Object>) any, extra));
    assertEquals(extra, withExtra.getOrDefault(withExtra.getParam(any.name())), "the extra value is applied");
    assertEquals(changed, stage.getOrDefault(any), "copy leaves its source as it was");
  }

  /** A valid value of {@code p} other than its current one. */
  static Object changed(Params stage, Param<?> p) {
    Object now = stage.isDefined(p) ? stage.getOrDefault(p) : null;
    Object next = p instanceof BooleanParam ? (Object) !(Boolean) now
        : p instanceof IntParam ? (Object) ((Integer) now + 1)
        : p instanceof LongParam ? (Object) ((Long) now + 1)
        : p instanceof DoubleParam ? (Object) ((Double) now / 2)
        : (Object) (now + "_x");
    assertTrue(((Param<Object>) p).isValid().apply(next) == Boolean.TRUE, p.name() + " = " + next);
    return next;
  }

  @ParameterizedTest
  @MethodSource("stages")
  void savedAndLoadedStagesHaveTheSameParamsAndOutput(Stage s) throws Exception {
    Params stage = s.stage();
    String path = dir.resolve(s.name()).toUri().toString();
    ((MLWritable) stage).write().overwrite().save(path);
    Params loaded = (Params) stage.getClass().getMethod("load", String.class).invoke(null, path);
    assertEquals(stage.getClass(), loaded.getClass());
    assertEquals(stage.uid(), loaded.uid());
    for (Param<?> p : stage.params()) {
      Param<?> theirs = loaded.getParam(p.name());
      assertEquals(stage.isSet(p), loaded.isSet(theirs), p.name() + " set");
      assertEquals(defaultOf(stage, p), defaultOf(loaded, theirs), p.name() + " default");
      if (stage.isDefined(p)) {
        assertEquals(stage.getOrDefault(p), loaded.getOrDefault(theirs), p.name());
      }
    }
    Function<Params, Object> output = output(s);
    if (output != null) {
      assertEquals(output.apply(stage), output.apply(loaded), "the loaded stage gives the same output");
    }
  }

  /** What a stage makes of its dataset: a model's transform (its rows), an evaluator's score; null otherwise. */
  static Function<Params, Object> output(Stage s) {
    if (s.stage() instanceof org.apache.spark.ml.Transformer) {
      return t -> ((org.apache.spark.ml.Transformer) t).transform(s.data()).collectAsList().stream()
          .map(Row::toString).toList();
    }
    if (s.stage() instanceof Evaluator) {
      return e -> ((Evaluator) e).evaluate(s.data());
    }
    return null;
  }

  @ParameterizedTest
  @MethodSource("stages")
  void aWrongColumnIsRefusedNamingIt(Stage s) {
    assertFalse(s.wrong().isEmpty());
    for (Map.Entry<String, StructType> w : s.wrong().entrySet()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> check(s.stage(),
          w.getValue()), s.name() + " with " + w.getValue().simpleString());
      assertTrue(e.getMessage().contains("'" + w.getKey() + "'"), e.getMessage());
    }
    check(s.stage(), s.data().schema()); // and the right columns pass
  }

  /** {@code transformSchema} of a pipeline stage; an evaluator checks its columns when it evaluates. */
  static void check(Params stage, StructType schema) {
    if (stage instanceof PipelineStage p) {
      p.transformSchema(schema);
    } else {
      ((Evaluator) stage).evaluate(spark.createDataFrame(List.of(), schema));
    }
  }

  @ParameterizedTest
  @MethodSource("stages")
  void aModelHasItsEstimatorsParamsAndValues(Stage s) {
    if (!(s.stage() instanceof org.apache.spark.ml.Model<?> model)) {
      return;
    }
    Params parent = model.parent();
    assertTrue(parent != null, s.name() + " knows the estimator that fitted it");
    assertEquals(parent.uid(), model.uid(), "a fitted model takes its estimator's uid, as MLlib's do");
    for (Param<?> p : parent.params()) {
      assertTrue(model.hasParam(p.name()), s.name() + " has " + p.name());
      if (parent.isSet(p)) {
        assertEquals(parent.getOrDefault(p), model.getOrDefault(model.getParam(p.name())), p.name());
      }
    }
    assertEquals(parent.params().length, model.params().length);
  }
}
