package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.train.TrainingConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code local[2,4]} (two threads, four attempts per task), Java serialization: a task that fails on its first
 * attempt is retried by Spark and the run ends with exactly the weights of an undisturbed run. Four partitions, so
 * the driver's final fold merges four task results in whatever order they finish: the deterministic summation of
 * {@link GradientSum} is what makes the bits equal.
 */
class SparkFaultToleranceTest {
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    jsc = SparkFixtures.context("local[2,4]", false);
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  @Test
  void aRetriedTaskGivesTheWeightsOfAnUndisturbedRun() throws Exception {
    float[] undisturbed = SparkFixtures.spark(jsc, 4, 4, SparkTrainingOptions.defaults());
    jsc.setJobGroup("faulty", "a run with an injected task failure", false);
    float[] retried = SparkFixtures.spark(jsc, 4, 4, SparkTrainingOptions.defaults(),
        trainer -> trainer.injectFailure(1, 2));
    jsc.clearJobGroup();
    assertTrue(FailureInjection.failedTasks(jsc, "faulty") >= 1, "the injected failure happened and was retried");
    assertArrayEquals(undisturbed, retried);
  }

  @Test
  void theSameRunTwiceGivesTheSameBits() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withAggregationDepth(3);
    TrainingConfig microBatches = SparkFixtures.training(3).toBuilder().microBatches(2).build();
    assertArrayEquals(SparkFixtures.spark(jsc, 6, microBatches, options, t -> { }),
        SparkFixtures.spark(jsc, 6, microBatches, options, t -> { }));
  }
}
