package io.spindle.ml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test on the fortunes language-ID task ({@link FineTuningExperiment}): a classifier
 * fine-tuned from a language model pretrained on the training split's text, with only 10% of its labels, beats
 * the same GPT architecture trained from scratch on the same 10%, and the README's encoder trained on them. A small
 * slice (400 entries per language, 48 characters each) so the suite stays fast; docs/benchmarks.md reports the
 * larger run of {@code bin/bench finetune}. Skipped when the fortunes packages are not installed.
 */
class FineTuningLanguageIdTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("spindle-fine-tuning-langid-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void fineTunedOnTenPercentOfTheLabelsBeatsTrainingFromScratch() throws Exception {
    Assumptions.assumeTrue(FortuneLanguages.installed(), "fortunes packages not installed (see DATA.md)");
    FineTuningExperiment.Data data = FineTuningExperiment.languages(spark, 400, 48, 0.1);
    List<FineTuningExperiment.Result> r = FineTuningExperiment.run(data,
        new FineTuningExperiment.Sizes("char", 0, 1, 4, 32, 48, 250, 100, 32), "last");
    double fineTuned = r.get(0).accuracy();
    assertTrue(fineTuned > r.get(1).accuracy() && fineTuned > r.get(2).accuracy(),
        "fine-tuned " + fineTuned + ", from scratch " + r.get(1).accuracy() + " (GPT) and " + r.get(2).accuracy()
            + " (encoder)");
  }
}
