package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
import io.spindle.train.ExampleChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier trainer's validation, early stopping and checkpoints on {@code local[2]} (Kryo with registration
 * required): a run stopped after step 5 resumes from step 4 to the bits and the histories of an uninterrupted run;
 * early stopping stops where its rule says and leaves the best evaluation's weights, also across a resume; a
 * checkpoint of other settings, or one found without resume, is refused before any step.
 */
class SparkClassifierCheckpointTest {
  static final EncoderConfig MODEL = SparkClassifierTrainerTest.MODEL;
  static final int STEPS = 8;
  static final int PARTITIONS = 2;
  /** Validation every 2 steps; a tolerance no loss can beat after the first evaluation, so patience 2 stops at 6. */
  static final ValidationPolicy STOPPING = ValidationPolicy.every(2).withEarlyStopping(2, 10.0);
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

  /** What one training run returned. */
  record Run(float[] weights, TrainingProgress progress, List<Long> steps, String resumedFrom) {}

  /**
   * Trains a model initialised with {@code init} for {@link #STEPS} steps on 200 examples, validating on 60 under
   * {@code policy} (null: no validation); the listener throws after step {@code crashAfter}.
   */
  static Run train(long init, ValidationPolicy policy, SparkTrainingOptions options, long crashAfter)
      throws Exception {
    EncoderClassifier model = EncoderClassifier.create(MODEL, init);
    List<Long> steps = new ArrayList<>();
    TrainingConfig config = SparkClassifierTrainerTest.training(STEPS);
    try (SparkExamples data = SparkExamples.of(jsc.parallelize(SparkClassifierTrainerTest.examples(200, 1),
        PARTITIONS), 13, 3);
        SparkExamples validation = policy == null ? null : SparkExamples.of(jsc.parallelize(
            SparkClassifierTrainerTest.examples(60, 9), PARTITIONS), 13, 3)) {
      SparkTrainer<EncoderClassifier, ExampleChunk> trainer = new SparkTrainer<>(data.objective(MODEL, config), model,
          config, options, null, null);
      TrainingProgress progress = trainer.train(data, validation, policy, m -> {
        steps.add(m.step());
        if (m.step() == crashAfter) {
          throw new IllegalStateException("simulated crash after step " + crashAfter);
        }
      });
      return new Run(model.parameters().values().toArray(), progress, steps, trainer.resumedFrom().orElse(null));
    }
  }

  /** The weights of {@code crashAfter} steps of the same run without validation. */
  static float[] weightsAfter(long crashAfter) throws Exception {
    EncoderClassifier model = EncoderClassifier.create(MODEL, 11);
    try (SparkExamples data = SparkExamples.of(jsc.parallelize(SparkClassifierTrainerTest.examples(200, 1),
        PARTITIONS), 13, 3)) {
      TrainingConfig config = SparkClassifierTrainerTest.training(STEPS);
      new SparkTrainer<>(data.objective(MODEL, config), model, config, SparkTrainingOptions.defaults(), null, null)
          .train(data, null, null, m -> {
            if (m.step() == crashAfter) {
              throw new IllegalStateException("stop after step " + crashAfter);
            }
          });
    } catch (IllegalStateException expected) {
      // the listener stopped the run with the weights of step crashAfter
    }
    return model.parameters().values().toArray();
  }

  @Test
  void aRunStoppedAfterStepFiveResumesToTheUninterruptedWeightsAndHistories() throws Exception {
    ValidationPolicy policy = ValidationPolicy.every(3);
    Run uninterrupted = train(11, policy, SparkTrainingOptions.defaults(), -1);
    assertArrayEquals(new long[] {3, 6, 8}, uninterrupted.progress().validationSteps());
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2)
        .withResume(true);
    assertThrows(IllegalStateException.class, () -> train(11, policy, options, 5));
    jsc.stop();
    jsc = SparkFixtures.context("local[2]", true);
    Run resumed = train(999, policy, options, -1); // other initial weights: all must come from the checkpoint
    assertEquals(List.of(5L, 6L, 7L, 8L), resumed.steps());
    assertTrue(resumed.resumedFrom().endsWith("step-00000004"), resumed.resumedFrom());
    assertArrayEquals(uninterrupted.weights(), resumed.weights());
    assertArrayEquals(uninterrupted.progress().lossHistory(), resumed.progress().lossHistory());
    assertArrayEquals(uninterrupted.progress().validationSteps(), resumed.progress().validationSteps());
    assertArrayEquals(uninterrupted.progress().validationLossHistory(),
        resumed.progress().validationLossHistory());
    assertEquals("completed all 8 steps", resumed.progress().stopReason());
  }

  @Test
  void earlyStoppingStopsByItsRuleAndKeepsTheBestWeights() throws Exception {
    Run run = train(11, STOPPING, SparkTrainingOptions.defaults(), -1);
    TrainingProgress p = run.progress();
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), run.steps());
    assertTrue(p.stoppedEarly());
    assertArrayEquals(new long[] {2, 4, 6}, p.validationSteps());
    assertEquals(2, p.bestValidationStep());
    assertTrue(p.stopReason().contains("after step 6") && p.stopReason().contains("step 2"), p.stopReason());
    float[] atStepTwo = weightsAfter(2);
    assertArrayEquals(atStepTwo, run.weights(), "the weights of the best evaluation, step 2");
    assertFalse(java.util.Arrays.equals(weightsAfter(6), run.weights()), "not the weights of the last step");
  }

  @Test
  void earlyStoppingResumesToTheSameStopAndAFinishedRunResumesWithoutAStep() throws Exception {
    Run uninterrupted = train(11, STOPPING, SparkTrainingOptions.defaults(), -1);
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 3)
        .withResume(true);
    assertThrows(IllegalStateException.class, () -> train(11, STOPPING, options, 4));
    Run resumed = train(999, STOPPING, options, -1);
    assertEquals(List.of(4L, 5L, 6L), resumed.steps());
    assertArrayEquals(uninterrupted.weights(), resumed.weights());
    assertEquals(uninterrupted.progress().stopReason(), resumed.progress().stopReason());
    Run again = train(999, STOPPING, options, -1);
    assertTrue(again.steps().isEmpty(), "a finished run takes no step: " + again.steps());
    assertTrue(again.resumedFrom().endsWith("step-00000006"), again.resumedFrom());
    assertArrayEquals(uninterrupted.weights(), again.weights());
    assertArrayEquals(uninterrupted.progress().validationLossHistory(), again.progress().validationLossHistory());
  }

  @Test
  void checkpointsOfOtherSettingsOrFoundWithoutResumeAreRefused() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2);
    assertThrows(IllegalStateException.class, () -> train(11, null, options, 3));
    List<Long> steps = new ArrayList<>();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> steps.addAll(train(11, null, options, -1).steps()));
    assertTrue(e.getMessage().contains("already holds checkpoints"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> steps.addAll(train(11, ValidationPolicy.every(2), options.withResume(true), -1).steps()));
    assertTrue(e.getMessage().contains("another run") && e.getMessage().contains("validation_examples: 60 in this "
        + "run, 0 in the checkpoint"), e.getMessage());
    assertTrue(steps.isEmpty(), "no step ran");
  }
}
