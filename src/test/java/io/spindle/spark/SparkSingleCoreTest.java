package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code local[1]}, one partition: the Spark trainer is the in-process trainer, to the bit. */
class SparkSingleCoreTest {
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    jsc = SparkFixtures.context("local[1]", false);
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  @Test
  void onePartitionMatchesTheInProcessTrainerExactly() throws Exception {
    float[] expected = SparkFixtures.inProcess(5);
    float[] actual = SparkFixtures.spark(jsc, 1, 5, SparkTrainingOptions.defaults());
    SparkFixtures.assertClose(expected, actual, 1e-5, "local[1], 1 partition");
    assertArrayEquals(expected, actual, "one partition, one micro-batch: same batch, same order, same bits");
  }
}
