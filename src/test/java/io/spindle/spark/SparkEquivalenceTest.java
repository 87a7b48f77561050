package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Gpt;
import io.spindle.train.StepMetrics;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.ValidationPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code local[2]} with Kryo and {@code spark.kryo.registrationRequired=true}: 2 and 4 partitions, micro-batches and
 * aggregation depths all train to the in-process trainer's weights within 1e-5 relative after 5 steps.
 */
class SparkEquivalenceTest {
  static JavaSparkContext jsc;
  static float[] inProcess;

  @BeforeAll
  static void start() throws Exception {
    jsc = SparkFixtures.context("local[2]", true);
    inProcess = SparkFixtures.inProcess(5);
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  @Test
  void twoPartitionsMatchTheInProcessTrainer() throws Exception {
    SparkFixtures.assertClose(inProcess, SparkFixtures.spark(jsc, 2, 5, SparkTrainingOptions.defaults()), 1e-5,
        "local[2], 2 partitions");
  }

  @Test
  void fourPartitionsMatchTheInProcessTrainer() throws Exception {
    SparkFixtures.assertClose(inProcess, SparkFixtures.spark(jsc, 4, 5, SparkTrainingOptions.defaults()), 1e-5,
        "local[2], 4 partitions");
  }

  @Test
  void microBatchesAndATreeOfDepthThreeMatchTheInProcessTrainer() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withAggregationDepth(3);
    TrainingConfig microBatches = SparkFixtures.training(5).toBuilder().microBatches(3).build();
    SparkFixtures.assertClose(inProcess, SparkFixtures.spark(jsc, 5, microBatches, options, t -> { }), 1e-5,
        "5 partitions, 3 micro-batches, depth 3");
  }

  @Test
  void bf16GradientsTrainCloseToFloat32() throws Exception {
    float[] compressed = SparkFixtures.spark(jsc, 2, 5, SparkTrainingOptions.defaults().withCompressedGradients(true));
    // bf16 keeps ~3 digits of each gradient element; Adam's normalised steps stay within a fraction of lr * steps.
    double maxDiff = 0;
    for (int i = 0; i < inProcess.length; i++) {
      assertTrue(Float.isFinite(compressed[i]));
      maxDiff = Math.max(maxDiff, Math.abs(compressed[i] - inProcess[i]));
    }
    assertTrue(maxDiff > 0, "compression changed nothing: was it applied?");
    assertTrue(maxDiff < 5 * 3e-3, "bf16 drifted by " + maxDiff);
  }

  @Test
  void stepMetricsAndAccumulatorsCountEveryToken() throws Exception {
    Gpt model = Gpt.create(SparkFixtures.MODEL, SparkFixtures.SEED);
    List<StepMetrics> steps = new ArrayList<>();
    SparkTrainer<Gpt, TokenChunk> trainer;
    try (SparkTokenStream data = SparkTokenStream.fromTokens(jsc, SparkFixtures.tokens(), 16, 24, 3)) {
      trainer = SparkFixtures.trainer(model, SparkFixtures.training(3), SparkTrainingOptions.defaults(), data);
      assertEquals(3, data.partitions());
      assertEquals(3000, data.length());
      trainer.train(data, SparkFixtures.validation(jsc, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
          16, 17, 18, 19, 20}), ValidationPolicy.every(0), steps::add);
    }
    assertEquals(3, steps.size());
    assertEquals(3, steps.get(2).step());
    assertTrue(steps.get(2).evaluated(), "the last step evaluates the validation tokens");
    for (StepMetrics m : steps) {
      assertTrue(m.loss() > 2 && m.loss() < 4, "loss near ln 24 = 3.18 at the start: " + m.loss());
    }
    assertEquals(3L * 8 * 16, trainer.countAccumulator().value(), "accumulator: B * T tokens per step");
    double lossSum = 0;
    for (StepMetrics m : steps) {
      lossSum += m.loss() * 8 * 16;
    }
    assertEquals(lossSum, trainer.lossAccumulator().value(), 1e-9 * lossSum, "accumulator: summed loss");
  }
}
