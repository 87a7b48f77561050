package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Network;
import io.spindle.train.DataPart;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deterministic training ({@link TrainingConfig#deterministic()}): the same seed and global batch give the same
 * weights, compared as raw float bits, for the trainer in this JVM on 1 and 2 threads and for Spark in
 * {@code local[1]} and in {@code local[2]} with 2 and 4 partitions and aggregation depths 2 and 3, for every model
 * family; and the default (partition-keyed) sum differs between partitionings, which is why the mode exists.
 */
class DeterminismTest {
  static final int STEPS = 3;

  static TrainingConfig config(boolean deterministic) {
    // micro-batches 3: ignored in deterministic mode (each draw is a pass of its own), so they must not matter
    return FamilyCapabilitiesTest.config(STEPS).toBuilder().microBatches(3).deterministic(deterministic).build();
  }

  @ParameterizedTest
  @MethodSource("io.spindle.spark.Families#all")
  void everyThreadCountAndPartitioningGivesTheSameBits(Families.Family<?, ?> family) throws Exception {
    compare(family);
  }

  private static <M extends Network<?>, D extends DataPart> void compare(Families.Family<M, D> family)
      throws Exception {
    Map<String, int[]> runs = new LinkedHashMap<>();
    JavaSparkContext one = SparkFixtures.context("local[1]", true);
    try {
      runs.put("in-process, 1 thread", local(family, one, 1));
      runs.put("in-process, 2 threads", local(family, one, 2));
      runs.put("local[1], 1 partition", spark(family, one, 1, 0, true));
    } finally {
      one.stop();
    }
    JavaSparkContext two = SparkFixtures.context("local[2]", true);
    try {
      runs.put("local[2], 2 partitions", spark(family, two, 2, 0, true));
      runs.put("local[2], 4 partitions, depth 3", spark(family, two, 4, 3, true));
      int[] expected = runs.get("in-process, 1 thread");
      for (Map.Entry<String, int[]> run : runs.entrySet()) {
        assertEquals(expected.length, run.getValue().length);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], run.getValue()[i], run.getKey() + ": weight " + i + " differs in its bits");
        }
      }
      int[] two4 = spark(family, two, 4, 0, false);
      int[] two2 = spark(family, two, 2, 0, false);
      int differ = 0;
      for (int i = 0; i < two2.length; i++) {
        differ += two2[i] != two4[i] ? 1 : 0;
      }
      assertTrue(differ > 0, "without the canonical sum, 2 and 4 partitions differ in rounding");
      assertThrows(IllegalArgumentException.class, () -> new SparkTrainer<>(family.objective(
          family.data(two, 2), config(true)), family.model(11), config(true),
          SparkTrainingOptions.defaults().withCompressedGradients(true), null, null).train(family.data(two, 2),
          null, null, m -> { }), "bf16 gradients cannot be summed canonically");
    } finally {
      two.stop();
    }
  }

  private static <M extends Network<?>, D extends DataPart> int[] local(Families.Family<M, D> family,
      JavaSparkContext jsc, int threads) throws Exception {
    M model = family.model(11);
    new LocalTrainer<>(family.objective(family.data(jsc, 1), config(true)), model, config(true), threads)
        .train(family.whole(), null, null, m -> { });
    return bits(family.weights(model));
  }

  private static <M extends Network<?>, D extends DataPart> int[] spark(Families.Family<M, D> family,
      JavaSparkContext jsc, int partitions, int depth, boolean deterministic) throws Exception {
    M model = family.model(11);
    SparkParts<D> data = family.data(jsc, partitions);
    TrainingConfig config = config(deterministic);
    new SparkTrainer<>(family.objective(data, config), model, config,
        SparkTrainingOptions.defaults().withAggregationDepth(depth), null, null).train(data, null, null, m -> { });
    return bits(family.weights(model));
  }

  private static int[] bits(float[] weights) {
    int[] bits = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      bits[i] = Float.floatToRawIntBits(weights[i]);
    }
    return bits;
  }
}
