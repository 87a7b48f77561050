package io.spindle.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.spark.BroadcastModel;
import io.spindle.spark.FailureInjection;
import io.spindle.spark.SparkPrompts;
import io.spindle.spark.SparkTrainer;
import io.spindle.spark.SparkTrainingOptions;
import io.spindle.spark.SpindleKryoRegistrator;
import io.spindle.train.LocalTrainer;
import io.spindle.train.PromptChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Policy-gradient fine-tuning on the shared Spark trainer, {@code local[2,4]} (two threads, four attempts per task)
 * with Kryo and registration required: rollouts are a pure function of (seed, step, draw, k), so a retried task
 * gives an undisturbed run's weights bit for bit, and one partition computes exactly what the in-process trainer
 * does on one thread.
 */
class SparkPolicyGradientTest {
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    jsc = new JavaSparkContext(new SparkConf().setMaster("local[2,4]").setAppName("spindle-rl-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .set("spark.kryo.registrator", SpindleKryoRegistrator.class.getName())
        .set("spark.kryo.registrationRequired", "true"));
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  /** The weights after {@code steps} steps on Spark over {@code partitions} parts, each step's progress kept. */
  private static float[] spark(int partitions, int steps, Consumer<SparkTrainer<Gpt, PromptChunk>> setup,
      TrainingProgress[] progress) throws IOException {
    Gpt model = RlFixtures.model(5);
    TrainingConfig training = RlFixtures.training(steps, 9);
    try (SparkPrompts prompts = SparkPrompts.ofText(jsc.parallelize(RlFixtures.PROMPTS, partitions),
        RlFixtures.TOKENIZER)) {
      BroadcastModel<GptConfig, Gpt> reference = BroadcastModel.of(jsc, GptFormat.INSTANCE, model);
      PolicyGradientObjective objective = new PolicyGradientObjective(RlFixtures.MODEL, RlFixtures.settings(0.1),
          training, prompts.offsets(), prompts.count(), RlFixtures.TOKENIZER, new MatchFraction("[ab]"),
          reference);
      SparkTrainer<Gpt, PromptChunk> trainer = new SparkTrainer<>(objective, model, training,
          SparkTrainingOptions.defaults(), RlFixtures.TOKENIZER, RlFixtures.TOKENIZER);
      setup.accept(trainer);
      progress[0] = trainer.train(prompts, null, null, m -> { });
      reference.destroy();
    }
    return model.parameters().values().toArray();
  }

  @Test
  void aRetriedTaskGivesTheWeightsOfAnUndisturbedRun() throws Exception {
    TrainingProgress[] undisturbed = new TrainingProgress[1];
    TrainingProgress[] retried = new TrainingProgress[1];
    float[] expected = spark(3, 3, t -> { }, undisturbed);
    jsc.setJobGroup("faulty-rl", "a run with an injected task failure", false);
    float[] actual = spark(3, 3, t -> FailureInjection.inject(t, 1, 2), retried);
    jsc.clearJobGroup();
    assertTrue(FailureInjection.failedTasks(jsc, "faulty-rl") >= 1, "the injected failure happened and was retried");
    assertArrayEquals(expected, actual);
    assertEquals(undisturbed[0].last().extra(), retried[0].last().extra(), "the same rollouts, the same metrics");
    assertEquals(6.0, undisturbed[0].last().extra().get("completion_tokens"));
  }

  @Test
  void onePartitionComputesTheInProcessTrainersBits() throws Exception {
    TrainingProgress[] onSpark = new TrainingProgress[1];
    float[] spark = spark(1, 2, t -> { }, onSpark);
    Gpt model = RlFixtures.model(5);
    TrainingConfig training = RlFixtures.training(2, 9);
    PolicyGradientObjective objective = new PolicyGradientObjective(RlFixtures.MODEL, RlFixtures.settings(0.1),
        training, new long[] {0}, RlFixtures.PROMPTS.size(), RlFixtures.TOKENIZER, new MatchFraction("[ab]"),
        BroadcastModel.local(GptFormat.INSTANCE, model));
    TrainingProgress local = new LocalTrainer<>(objective, model, training, 1).train(RlFixtures.prompts(), null,
        null, m -> { });
    assertArrayEquals(model.parameters().values().toArray(), spark);
    assertEquals(local.last().extra(), onSpark[0].last().extra());
    assertEquals(local.last().loss(), onSpark[0].last().loss());
  }
}
