package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@link PolicyGradientTuner} on a shared {@code local[2]} session: a tiny character GPT as the starting model,
 * prompts in a DataFrame, what must not move and what must, checkpoints and resume through the shared trainer, a
 * fitted classifier as the reward model, and persistence of the starting and reward models with the estimator.
 */
class PolicyGradientTunerTest {
  static final StructType PROMPTS = new StructType().add("prompt", DataTypes.StringType)
      .add("isValidation", DataTypes.BooleanType);
  static final Tokenizer TOKENIZER = CharTokenizer.learn(List.of("abcde xyz.\n"),
      TokenizerOptions.defaults().withSpecials());
  static SparkSession spark;
  static Dataset<Row> prompts;
  static TransformerLMModel start;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-policy-gradient-tuner-test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    List<Row> rows = new ArrayList<>();
    String[] texts = {"ab", "xyz", "c", "de a", "zz.", "b c", "ee", "x", null, ""};
    for (int i = 0; i < texts.length; i++) {
      rows.add(RowFactory.create(texts[i], i == 2 || i == 6));
    }
    prompts = spark.createDataFrame(rows, PROMPTS).repartition(2).cache();
    GptConfig config = new GptConfig(TOKENIZER.vocabSize(), 16, 2, 2, 16, 0.0, true);
    start = new TransformerLMModel("start", Gpt.create(config, 5), TOKENIZER);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** K = 4 completions of up to 6 tokens for 4 prompts a step, constant rate 1e-2, no weight decay, seed 9. */
  static PolicyGradientTuner tuner(String reward, int steps) {
    return new PolicyGradientTuner().setInitialModel(start).setReward(reward).setSamplesPerPrompt(4)
        .setMaxNewTokens(6).setBatchSize(4).setMaxIter(steps).setStepSize(1e-2).setSeed(9);
  }

  static float[] weights(SpindleModel<?, ?, ?> model) {
    return model.network().parameters().values().toArray();
  }

  /**
   * A reward no completion can change (the letter q is not in the vocabulary: every reward is 0) gives advantages of
   * exactly 0; with beta = 0 there is no gradient at all and the weights stay the starting ones, bit for bit. A
   * reward that varies moves them, and the starting model is left as it was.
   */
  @Test
  void aConstantRewardWithoutKlLeavesTheStartingWeightsAndAVaryingOneMovesThem() {
    float[] before = weights(start);
    TransformerLMModel constant = tuner("match:q", 3).setKlWeight(0).fit(prompts);
    assertArrayEquals(before, weights(constant));
    assertArrayEquals(new double[] {0, 0, 0}, constant.summary().metricHistory("reward"));
    TransformerLMModel varying = tuner("match:a", 3).setKlWeight(0).fit(prompts);
    assertFalse(Arrays.equals(before, weights(varying)));
    assertArrayEquals(before, weights(start), "the starting model is not trained in place");
    assertEquals(8, varying.summary().numRows(), "8 prompts: 10 rows less a null and an empty one");
    assertEquals(2, varying.summary().numSkipped());
    for (String metric : List.of("reward", "kl", "entropy", "max_length_share")) {
      assertEquals(3, varying.summary().metricHistory(metric).length, metric);
    }
  }

  /**
   * The fitted model is a TransformerLMModel with the starting tokenizer and the tuner's prompt column: transform
   * adds the tuned model's continuations, and no perplexity (the prompts have no text column).
   */
  @Test
  void theTunedModelContinuesThePrompts() {
    PolicyGradientTuner tuner = tuner("vowels", 2);
    TransformerLMModel tuned = tuner.fit(prompts);
    assertEquals(tuner.uid(), tuned.uid(), "a fitted model takes its estimator's uid, as MLlib's do");
    assertEquals(tuner, tuned.parent());
    assertEquals(TOKENIZER, tuned.tokenizer());
    assertEquals("prompt", tuned.getPromptCol());
    assertEquals(6, tuned.getInt(tuned.maxNewTokens()));
    List<Row> out = tuned.transform(prompts.where("prompt = 'ab'")).collectAsList();
    assertEquals(1, out.size());
    assertEquals(6, out.get(0).getString(out.get(0).fieldIndex("generated")).length());
  }

  /**
   * Checkpoints and resume are the shared trainer's: a fit whose steps are cancelled from the 4th on resumes from its
   * checkpoint to the weights and rewards of an uninterrupted fit; the rollouts are a pure function of (seed, step,
   * prompt, k). A checkpoint of another KL weight or another reward is refused, naming the setting.
   */
  @Test
  void anInterruptedFitResumesToTheUninterruptedWeightsAndAnotherRewardIsRefused() {
    PolicyGradientTuner plain = tuner("match:[ab]", 5).setKlWeight(0.1).setValidationIndicatorCol("isValidation")
        .setValidationInterval(2);
    TransformerLMModel expected = plain.fit(prompts);
    PolicyGradientTuner checkpointed = plain.copy(ParamMap.empty())
        .setCheckpointDir(dir.resolve("tuner").toUri().toString()).setCheckpointInterval(2);
    CancelTrainingSteps cancel = new CancelTrainingSteps(spark.sparkContext(), 4);
    spark.sparkContext().addSparkListener(cancel);
    try {
      assertThrows(Exception.class, () -> checkpointed.fit(prompts), "a cancelled training step fails the fit");
    } finally {
      spark.sparkContext().removeSparkListener(cancel);
    }
    assertTrue(cancel.cancelled > 0);
    TransformerLMModel resumed = checkpointed.fit(prompts);
    assertTrue(resumed.summary().resumedFrom().isPresent(), "resumed from a checkpoint");
    assertArrayEquals(weights(expected), weights(resumed));
    assertArrayEquals(expected.summary().metricHistory("reward"), resumed.summary().metricHistory("reward"));
    assertArrayEquals(expected.summary().validationLossHistory(), resumed.summary().validationLossHistory());
    assertArrayEquals(new long[] {2, 4, 5}, resumed.summary().validationSteps());
    for (PolicyGradientTuner other : List.of(checkpointed.copy(ParamMap.empty()).setKlWeight(0.2),
        checkpointed.copy(ParamMap.empty()).setReward("match:[ac]"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.fit(prompts));
      assertTrue(e.getMessage().contains(other.getDouble(other.klWeight()) == 0.2 ? "kl_weight" : "reward"),
          e.getMessage());
    }
  }

  /**
   * A fitted classifier as the reward model (the RLHF recipe): every reward is a probability, and the tuner saves
   * and loads with its starting and reward models, their weights equal.
   */
  @Test
  void aFittedClassifierIsTheRewardModelAndTheTunerPersistsWithIt() throws Exception {
    List<Row> labelled = new ArrayList<>();
    for (String t : List.of("aaa", "aba", "baa", "xyz", "zzy", "yxz", "ab a", "zy z")) {
      labelled.add(RowFactory.create(t, t.contains("a") ? 1.0 : 0.0));
    }
    Dataset<Row> texts = spark.createDataFrame(labelled, new StructType().add("text", DataTypes.StringType)
        .add("label", DataTypes.DoubleType));
    SpindleTokenizerModel tokenizer = new SpindleTokenizer().fit(texts);
    TransformerClassificationModel classifier = new TransformerClassifier().setNumLayers(1).setNumHeads(2)
        .setModelDim(8).setMaxSeqLength(16).setMaxIter(5).setBatchSize(8).setWarmupSteps(1)
        .fit(tokenizer.transform(texts));
    PolicyGradientTuner tuner = new PolicyGradientTuner().setInitialModel(start).setRewardModel(tokenizer, classifier)
        .setSamplesPerPrompt(2).setMaxNewTokens(4).setBatchSize(2).setMaxIter(2);
    for (double r : tuner.fit(prompts).summary().metricHistory("reward")) {
      assertTrue(r > 0 && r < 1, "a mean probability: " + r);
    }
    String path = dir.resolve("tuner-with-reward-model").toUri().toString();
    tuner.write().overwrite().save(path);
    PolicyGradientTuner loaded = PolicyGradientTuner.load(path);
    assertNotNull(loaded.getInitialModel());
    assertArrayEquals(weights(start), weights(loaded.getInitialModel()));
    assertArrayEquals(weights(classifier), weights(loaded.getRewardModel()));
    assertEquals(tokenizer.tokenizer(), loaded.getRewardTokenizer().tokenizer());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> loaded.setReward("vowels").transformSchema(prompts.schema()));
    assertTrue(both.getMessage().contains("one way"), both.getMessage());
  }

  @Test
  void aMissingStartingModelOrATooLongCompletionIsRefusedBeforeFitting() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new PolicyGradientTuner().setReward("vowels").transformSchema(prompts.schema()));
    assertTrue(none.getMessage().contains("setInitialModel"), none.getMessage());
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> tuner("vowels", 1).setMaxNewTokens(16).transformSchema(prompts.schema()));
    assertTrue(tooLong.getMessage().contains("maxNewTokens 16"), tooLong.getMessage());
  }
}
