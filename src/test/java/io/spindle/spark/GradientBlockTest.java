package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.train.TrainingConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.BlockId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Stored gradients ({@link GradientBlock}): the tiny model's gradients (about 28 KB) are forced into blocks with
 * {@code spark.spindle.gradientBlocks.minBytes=0}, and the weights after training must be the same bits as with
 * every gradient inline; the task results must really be small, and no block may outlive its step.
 */
class GradientBlockTest {
  private static final int STEPS = 4;

  @ParameterizedTest(name = "{0} partitions, depth {1}, bf16 {2}, deterministic {3}")
  @CsvSource({"2, 2, false, false", "2, 2, true, false", "8, 3, false, false", "8, 3, true, false",
      "2, 2, false, true", "8, 3, false, true"})
  void storedGradientsGiveTheBitsOfInlineOnes(int partitions, int depth, boolean bf16, boolean deterministic)
      throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withAggregationDepth(depth)
        .withCompressedGradients(bf16);
    TrainingConfig config = SparkFixtures.training(STEPS).toBuilder().deterministic(deterministic).build();
    AtomicLong inlineResult = new AtomicLong();
    float[] inline = train(Map.of(GradientBlock.ENABLED, "false"), partitions, config, options, inlineResult);
    AtomicLong storedResult = new AtomicLong();
    float[] stored = train(Map.of(GradientBlock.MIN_BYTES, "0"), partitions, config, options, storedResult);

    int gradientBytes = inline.length * (bf16 ? 2 : 4);
    assertTrue(inlineResult.get() > gradientBytes, "inline: the largest task result, " + inlineResult.get()
        + " bytes, carries the gradient (" + gradientBytes + " bytes)");
    // a task result also carries the task's metrics and accumulator updates (about 2 KB); a gradient inline is 14
    // or 28 KB
    assertTrue(storedResult.get() < gradientBytes / 4, "stored: the largest task result is a reference, not "
        + storedResult.get() + " bytes");
    assertEquals(inline.length, stored.length);
    for (int i = 0; i < inline.length; i++) {
      assertEquals(Float.floatToRawIntBits(inline[i]), Float.floatToRawIntBits(stored[i]), "weight " + i);
    }
  }

  /** The weights after training in {@code local[2]}; the largest task result's size into {@code largest}. */
  private static float[] train(Map<String, String> settings, int partitions, TrainingConfig config,
      SparkTrainingOptions options, AtomicLong largest) throws Exception {
    try (JavaSparkContext jsc = SparkFixtures.context("local[2]", true, settings)) {
      jsc.sc().addSparkListener(new SparkListener() {
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
          if (end.taskMetrics() != null) {
            largest.accumulateAndGet(end.taskMetrics().resultSize(), Math::max);
          }
        }
      });
      float[] weights = SparkFixtures.spark(jsc, partitions, config, options, trainer -> { });
      assertNoGradientBlockLeft();
      return weights;
    }
  }

  /** The step's broadcast is destroyed without waiting, so its blocks go shortly after; wait up to 10 s. */
  private static void assertNoGradientBlockLeft() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    int left;
    do {
      left = blocks(name -> name.contains("_grad_")).size();
      if (left > 0) {
        Thread.sleep(50);
      }
    } while (left > 0 && System.nanoTime() < deadline);
    assertEquals(0, left, "gradient blocks left after training");
  }

  @Test
  void aStepWhoseBlocksAreLostRunsItsJobAgainAndGivesTheSameBits() throws Exception {
    TrainingConfig config = SparkFixtures.training(STEPS);
    SparkTrainingOptions options = SparkTrainingOptions.defaults();
    Map<String, String> stored = Map.of(GradientBlock.MIN_BYTES, "0");
    float[] undisturbed = train(stored, 2, config, options, new AtomicLong());

    List<Integer> removedPerJob = new ArrayList<>();
    DataParallelStep.afterJobForTests = broadcastId -> { // the second step's first job loses every block
      int removed = 0;
      if (removedPerJob.size() == 1) {
        for (BlockId id : blocks(name -> name.startsWith("broadcast_" + broadcastId + "_grad_"))) {
          SparkEnv.get().blockManager().removeBlock(id, true);
          removed++;
        }
      }
      removedPerJob.add(removed);
    };
    float[] rerun;
    try {
      rerun = train(stored, 2, config, options, new AtomicLong());
    } finally {
      DataParallelStep.afterJobForTests = null;
    }
    assertEquals(STEPS + 1, removedPerJob.size(), "one job per step and one rerun: " + removedPerJob);
    assertEquals(2, removedPerJob.get(1), "the second step's two stored gradients were taken away");
    for (int i = 0; i < undisturbed.length; i++) {
      assertEquals(Float.floatToRawIntBits(undisturbed[i]), Float.floatToRawIntBits(rerun[i]), "weight " + i);
    }
  }

  /** This JVM's blocks whose names pass {@code name}. */
  private static List<BlockId> blocks(Predicate<String> name) {
    return scala.jdk.javaapi.CollectionConverters.asJava(SparkEnv.get().blockManager().getMatchingBlockIds(
        new scala.runtime.AbstractFunction1<BlockId, Object>() {
          @Override
          public Object apply(BlockId id) {
            return name.test(id.name());
          }
        }));
  }

  @Test
  void aBlockThatIsGoneIsReportedLost() throws Exception {
    try (JavaSparkContext jsc = SparkFixtures.context("local[1]", true)) {
      GradientSum sum = storedPart(0, "broadcast_12345_grad_driver_1");
      assertEquals(1.5, sum.lossSum());
      GradientBlock.Lost lost = assertThrows(GradientBlock.Lost.class, sum::gradient);
      assertTrue(lost.getMessage().contains("broadcast_12345_grad_driver_1"), lost.getMessage());

      // two stored parts, read on two threads: the first one's loss still comes out as Lost, not wrapped
      GradientSum two = storedPart(0, "broadcast_12345_grad_driver_2").mergeInPlace(
          storedPart(1, "broadcast_12345_grad_driver_3"));
      lost = assertThrows(GradientBlock.Lost.class, () -> two.sumInto(io.spindle.tensor.Tensor.zeros(10)));
      assertTrue(lost.getMessage().contains("broadcast_12345_grad_driver_2"), lost.getMessage());
    }
  }

  /** A sum read from the wire whose one part, key {@code key}, is the stored block {@code name} of 10 elements. */
  private static GradientSum storedPart(int key, String name) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeLong(3); // tokens
      out.writeBoolean(false); // bf16
      out.writeLong(0); // the broadcast
      out.writeInt(1); // one part
      out.writeInt(key);
      out.writeDouble(1.5); // loss
      out.writeInt(0); // no named sums
      out.writeInt(-1); // stored
      out.writeUTF(name);
      out.writeInt(10);
    }
    return GradientSum.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
  }
}
