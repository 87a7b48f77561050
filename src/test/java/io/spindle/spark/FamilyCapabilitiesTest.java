package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.Network;
import io.spindle.train.DataPart;
import io.spindle.train.LocalTrainer;
import io.spindle.train.Objective;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every capability of the trainers, for every model family, through the same code ({@link SparkTrainer},
 * {@link LocalTrainer} and the family's {@link Objective}): checkpoints and resume, validation and early stopping,
 * micro-batches, bf16 gradients, and the tokenizer check on resume. {@code local[2]}, Kryo with registration
 * required.
 */
class FamilyCapabilitiesTest {
  static final int STEPS = 6;
  static final int PARTITIONS = 2;
  static JavaSparkContext jsc;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    jsc = SparkFixtures.context("local[2]", true);
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  static Stream<Families.Family<?, ?>> families() {
    return Families.all();
  }

  static TrainingConfig config(int steps) {
    return TrainingConfig.builder().steps(steps).batchSize(8).learningRate(3e-3).minLearningRate(3e-4)
        .warmupSteps(2).seed(7).build();
  }

  /** What a run returned. */
  record Run(float[] weights, TrainingProgress progress, List<Long> steps, String resumedFrom) {}

  /**
   * Trains {@code family}'s model (initialised with {@code init}) on Spark with {@code config} and {@code options},
   * validating by {@code policy} (null: none); the listener throws after step {@code crashAfter}.
   */
  static <M extends Network<?>, D extends DataPart> Run spark(Families.Family<M, D> family, long init, TrainingConfig config,
      SparkTrainingOptions options, ValidationPolicy policy, long crashAfter) throws Exception {
    M model = family.model(init);
    SparkParts<D> data = family.data(jsc, PARTITIONS);
    SparkTrainer<M, D> trainer = new SparkTrainer<>(family.objective(data, config), model, config, options,
        family.tokenizer(), family.tokenizer());
    List<Long> steps = new ArrayList<>();
    TrainingProgress progress = trainer.train(data, policy == null ? null : family.validation(jsc), policy, m -> {
      steps.add(m.step());
      if (m.step() == crashAfter) {
        throw new IllegalStateException("simulated crash after step " + crashAfter);
      }
    });
    return new Run(family.weights(model), progress, steps, trainer.resumedFrom().orElse(null));
  }

  /** The weights after step {@code step} of a run with {@code config} (the run stopped there by its listener). */
  static <M extends Network<?>, D extends DataPart> float[] weightsAfter(Families.Family<M, D> family, long step, TrainingConfig config)
      throws Exception {
    M model = family.model(11);
    SparkParts<D> data = family.data(jsc, PARTITIONS);
    try {
      new SparkTrainer<>(family.objective(data, config), model, config, SparkTrainingOptions.defaults(), null, null)
          .train(data, null, null, m -> {
            if (m.step() == step) {
              throw new IllegalStateException("stop after step " + step);
            }
          });
    } catch (IllegalStateException expected) {
      // the listener stopped the run with the weights of the step
    }
    return family.weights(model);
  }

  @ParameterizedTest
  @MethodSource("families")
  void aRunStoppedAfterStepThreeResumesToTheUninterruptedWeightsAndMetrics(Families.Family<?, ?> family) throws Exception {
    ValidationPolicy policy = ValidationPolicy.every(2);
    Run uninterrupted = spark(family, 11, config(STEPS), SparkTrainingOptions.defaults(), policy, -1);
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2)
        .withResume(true);
    assertThrows(IllegalStateException.class, () -> spark(family, 11, config(STEPS), options, policy, 3));
    Run resumed = spark(family, 99, config(STEPS), options, policy, -1); // other initial weights: all must be restored
    assertEquals(List.of(3L, 4L, 5L, 6L), resumed.steps());
    assertTrue(resumed.resumedFrom().endsWith("step-00000002"), resumed.resumedFrom());
    assertArrayEquals(uninterrupted.weights(), resumed.weights());
    assertArrayEquals(uninterrupted.progress().lossHistory(), resumed.progress().lossHistory());
    assertArrayEquals(uninterrupted.progress().validationLossHistory(),
        resumed.progress().validationLossHistory());
    assertEquals(STEPS, resumed.progress().stepMetrics().size(), "every step's metrics, once");
  }

  @ParameterizedTest
  @MethodSource("families")
  void earlyStoppingStopsByItsRuleAndKeepsTheBestWeights(Families.Family<?, ?> family) throws Exception {
    // a tolerance no loss can beat after the first evaluation: patience 2 stops after the evaluations of 4 and 6
    ValidationPolicy stopping = ValidationPolicy.every(2).withEarlyStopping(2, 100.0);
    Run run = spark(family, 11, config(10), SparkTrainingOptions.defaults(), stopping, -1);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), run.steps());
    assertTrue(run.progress().stoppedEarly(), run.progress().stopReason());
    assertArrayEquals(new long[] {2, 4, 6}, run.progress().validationSteps());
    assertEquals(2, run.progress().bestValidationStep());
    assertArrayEquals(weightsAfter(family, 2, config(10)), run.weights(),
        "the weights of the best evaluation, after step 2");
  }

  /**
   * One Spark partition computes the in-process trainer's bits with the same micro-batches; with other
   * micro-batches the sums are added in another order, so the weights agree to rounding.
   */
  @ParameterizedTest
  @MethodSource("families")
  void microBatchesOnSparkEqualTheTrainerInThisJvm(Families.Family<?, ?> family) throws Exception {
    microBatches(family);
  }

  private static <M extends Network<?>, D extends DataPart> void microBatches(Families.Family<M, D> family) throws Exception {
    TrainingConfig three = config(4).toBuilder().microBatches(3).build();
    M local = family.model(11);
    SparkParts<D> one = family.data(jsc, 1);
    new LocalTrainer<>(family.objective(one, three), local, three, 1).train(family.whole(), null, null, m -> { });
    M onSpark = family.model(11);
    new SparkTrainer<>(family.objective(one, three), onSpark, three, SparkTrainingOptions.defaults(), null, null)
        .train(one, null, null, m -> { });
    assertArrayEquals(family.weights(local), family.weights(onSpark), "1 partition, 3 micro-batches");
    float[] whole = spark(family, 11, config(4), SparkTrainingOptions.defaults(), null, -1).weights();
    float[] split = spark(family, 11, three, SparkTrainingOptions.defaults(), null, -1).weights();
    assertClose(whole, split, 1e-5, "3 micro-batches against 1");
  }

  @ParameterizedTest
  @MethodSource("families")
  void bf16GradientsTrainCloseToFloat32(Families.Family<?, ?> family) throws Exception {
    float[] f32 = spark(family, 11, config(4), SparkTrainingOptions.defaults(), null, -1).weights();
    float[] bf16 = spark(family, 11, config(4), SparkTrainingOptions.defaults().withCompressedGradients(true), null,
        -1).weights();
    double maxDiff = 0;
    for (int i = 0; i < f32.length; i++) {
      assertTrue(Float.isFinite(bf16[i]));
      maxDiff = Math.max(maxDiff, Math.abs(bf16[i] - f32[i]));
    }
    assertTrue(maxDiff > 0, "compression changed nothing: was it applied?");
    // bf16 keeps ~3 digits of each gradient element; Adam's normalised steps stay within a fraction of lr * steps
    assertTrue(maxDiff < 4 * 3e-3, "bf16 drifted by " + maxDiff);
  }

  @ParameterizedTest
  @MethodSource("families")
  void resumingWithAnotherTokenizerOfTheSameSizeIsRefused(Families.Family<?, ?> family) throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2)
        .withResume(true);
    spark(family, 11, config(2), options, null, -1);
    // the same characters, 'h' made the most frequent: the same size, other ids
    Tokenizer other = CharTokenizer.learn(List.of(Families.CHARS + "hhhhh"), TokenizerOptions.defaults());
    assertEquals(family.tokenizer().vocabSize(), other.vocabSize());
    assertFalse(other.equals(family.tokenizer()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> resumeWith(family, other, options));
    assertTrue(e.getMessage().contains("another tokenizer") && e.getMessage().contains("the same number"),
        e.getMessage());
  }

  private static <M extends Network<?>, D extends DataPart> void resumeWith(Families.Family<M, D> family, Tokenizer tokenizer,
      SparkTrainingOptions options) throws Exception {
    SparkParts<D> data = family.data(jsc, PARTITIONS);
    new SparkTrainer<>(family.objective(data, config(4)), family.model(1), config(4), options.withResume(true, true),
        tokenizer, tokenizer).train(data, null, null, m -> { });
  }

  static void assertClose(float[] expected, float[] actual, double relative, String what) {
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < expected.length; i++) {
      diff2 += (double) (actual[i] - expected[i]) * (actual[i] - expected[i]);
      norm2 += (double) expected[i] * expected[i];
    }
    assertTrue(Math.sqrt(diff2) <= relative * Math.sqrt(norm2), what + ": relative difference "
        + Math.sqrt(diff2 / norm2));
  }
}
