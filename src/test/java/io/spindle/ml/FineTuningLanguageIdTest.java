package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GPT-1's recipe on the fortunes language-ID task with a tenth of the labels: a classifier fine-tuned from a
 * character language model pretrained on the training split's text (no labels) against the same network trained from
 * scratch, both on the same 10% of the training labels (about 400 rows of 1,000 fortunes per language in 5
 * languages, each cut to 64 characters) and scored on the same held-out 20% (about 1,000 rows), in {@code local[2]}.
 * Sizes are {@code bin/bench finetune langid}'s: a GPT of 2 layers, 4 heads, width 64 and block 64; the language model
 * 1,200 steps of 32, the classifiers 200 steps of 32 with mean pooling, the fine-tuned backbone at a step size of 1e-3
 * and every other weight at 3e-3 (docs/benchmarks.md reports the measured figures and the alternatives tried).
 * Skipped when the fortunes packages are not installed.
 */
class FineTuningLanguageIdTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("spindle-fine-tuning-langid-test");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void aClassifierFineTunedFromAPretrainedLanguageModelBeatsOneTrainedFromScratchOnTenPercentOfTheLabels()
      throws Exception {
    Assumptions.assumeTrue(FortuneLanguages.installed(), "fortunes packages not installed (see DATA.md)");
    FineTuningExperiment.Data data = FineTuningExperiment.languages(spark, 1000, 64, 0.1);
    FineTuningExperiment.Sizes sizes = new FineTuningExperiment.Sizes("char", 0, 2, 4, 64, 64, 1200, 200, 32);
    TransformerLMModel lm = FineTuningExperiment.pretrain(data, sizes);
    FineTuningExperiment.Result tuned = FineTuningExperiment.score("fine-tuned GPT, mean pooling", data,
        lm.tokenizerModel("text", "ids"), FineTuningExperiment.fineTuned(lm, sizes, "mean"));
    FineTuningExperiment.Result scratch = FineTuningExperiment.score("same GPT from scratch, mean pooling", data,
        lm.tokenizerModel("text", "ids"), FineTuningExperiment.scratch(sizes, "mean"));
    assertTrue(tuned.accuracy() > scratch.accuracy(), "fine-tuned " + tuned + " against from scratch " + scratch);
  }
}
