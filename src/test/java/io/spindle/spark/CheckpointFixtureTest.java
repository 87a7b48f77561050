package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.fixtures.Fixtures;
import io.spindle.fixtures.WriteFixtures;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.optim.OptimizerState;
import io.spindle.train.StepMetrics;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed checkpoint of a Spark training run ({@link WriteFixtures}) read by today's code: it verifies
 * against its manifest and loads with the step, optimizer state, progress (every step's metrics, the evaluations,
 * the best step) and settings pinned when it was written; it is a model folder too; writing what was loaded gives
 * the committed bytes again; and a run with the same settings resumes from it. Each test works on a copy in a
 * temporary directory, so the store's housekeeping never touches the committed files.
 */
class CheckpointFixtureTest {
  static final String NAME = Path.of(WriteFixtures.CHECKPOINT).getFileName().toString();
  static JavaSparkContext jsc;
  static JsonNode expected;

  @TempDir
  Path dir;
  CheckpointStore store;

  @BeforeAll
  static void start() throws IOException {
    jsc = SparkFixtures.context("local[" + WriteFixtures.PARTITIONS + "]", false);
    expected = Fixtures.expected().get("checkpoint");
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  @BeforeEach
  void copy() throws IOException {
    Fixtures.copyTree(Fixtures.committed().resolve(WriteFixtures.CHECKPOINTS), dir.resolve("checkpoints"));
    store = CheckpointStore.open(dir.resolve("checkpoints").toString(), new Configuration());
  }

  private TrainingCheckpoint.Loaded load() throws IOException {
    return TrainingCheckpoint.load(store, NAME, GptFormat.INSTANCE, WriteFixtures.VALIDATION);
  }

  @Test
  void theCheckpointLoadsWithThePinnedStepOptimizerAndModel() throws IOException {
    assertEquals(List.of(NAME), store.committed());
    TrainingCheckpoint.Loaded c = load();
    assertEquals(WriteFixtures.GPT, c.config());
    assertEquals(WriteFixtures.GPT_TOKENIZER, c.tokenizer());
    assertEquals(WriteFixtures.GPT_TOKENIZER, c.targetTokenizer());

    TrainingConfig training = WriteFixtures.TRAINING;
    TrainerState state = c.trainer();
    assertEquals(expected.get("step").asLong(), state.step());
    assertEquals(training.seed(), state.seed());
    assertEquals(training.batchSize(), state.batchSize());
    assertEquals(expected.get("training_tokens").asLong(), state.streamLength());
    // every window of the steps taken is a full one: B windows of T targets per step
    assertEquals(state.step() * training.batchSize() * WriteFixtures.GPT.blockSize(), state.tokensSeen());

    OptimizerState optimizer = c.optimizer();
    assertEquals(expected.get("optimizer").asText(), optimizer.kind());
    assertEquals(expected.get("optimizer_steps").asLong(), optimizer.step());
    assertEquals(c.weights().count(), optimizer.length());
    assertEquals(2, optimizer.bufferCount(), "AdamW's two moments");

    Fixtures.assertLogits(expected.get("model"), WriteFixtures.gptLogits(Gpt.of(WriteFixtures.GPT, c.weights()),
        c.tokenizer()), "the checkpoint's model");
  }

  @Test
  void theCheckpointHoldsThePinnedProgressAndSettings() throws IOException {
    TrainingCheckpoint.Loaded c = load();
    TrainingProgress progress = c.progress();
    JsonNode steps = expected.get("steps");
    assertEquals(steps.size(), progress.steps());
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      StepMetrics pinned = new StepMetrics(s.get("step").asLong(), s.get("loss").asDouble(),
          s.get("learningRate").asDouble(), s.get("tokensPerSecond").asDouble(), s.get("elapsedSeconds").asDouble(),
          s.get("gradNorm").asDouble(), s.get("validationLoss").asDouble());
      assertEquals(pinned, progress.stepMetrics().get(i), "step " + (i + 1));
    }
    assertArrayEquals(new long[] {1, 2}, progress.validationSteps());
    assertArrayEquals(progress.stepMetrics().stream().mapToDouble(StepMetrics::validationLoss).toArray(),
        progress.validationLossHistory());
    assertEquals(expected.get("best_step").asLong(), progress.bestValidationStep());
    assertEquals(progress.validationLossHistory()[(int) progress.bestValidationStep() - 1],
        progress.bestValidationLoss());
    assertEquals(expected.get("stop_reason").asText(), progress.stopReason());
    assertTrue(progress.finished());
    assertFalse(progress.stoppedEarly());
    Parameters best = Gpt.declare(WriteFixtures.GPT).build();
    best.values().copyFrom(progress.bestWeights());
    Fixtures.assertLogits(expected.get("best"), WriteFixtures.gptLogits(Gpt.of(WriteFixtures.GPT, best),
        c.tokenizer()), "the best weights");

    JsonNode settings = c.settings();
    TrainingConfig training = WriteFixtures.TRAINING;
    assertEquals(training.steps(), settings.get("steps").asInt());
    assertEquals(training.batchSize(), settings.get("batch_size").asInt());
    assertEquals("adamw", settings.get("optimizer").asText());
    assertEquals(training.learningRate(), settings.get("learning_rate").asDouble());
    assertEquals(training.seed(), settings.get("seed").asLong());
    assertEquals(expected.get("training_tokens").asLong(), settings.get("training_tokens").asLong());
    assertEquals(WriteFixtures.VALIDATION.interval(), settings.get("validation_interval").asInt());
    assertEquals(WriteFixtures.VALIDATION.patience(), settings.get("patience").asInt());
  }

  @Test
  void theCheckpointIsAModelFolder() throws IOException {
    ModelFolder.Contents<Gpt> folder = ModelFolder.load(GptFormat.INSTANCE, dir.resolve(WriteFixtures.CHECKPOINT));
    assertEquals(WriteFixtures.GPT_TOKENIZER, folder.tokenizer());
    Fixtures.assertLogits(expected.get("model"), WriteFixtures.gptLogits(folder.model(), folder.tokenizer()),
        "the checkpoint as a model folder");
  }

  @Test
  void writingTheLoadedCheckpointGivesTheCommittedBytes() throws IOException {
    TrainingCheckpoint.Loaded c = load();
    CheckpointStore other = CheckpointStore.open(dir.resolve("rewritten").toString(), new Configuration());
    Gpt model = Gpt.of(WriteFixtures.GPT, c.weights());
    assertTrue(TrainingCheckpoint.write(other, GptFormat.INSTANCE, new ModelFolder.Contents<>(model, c.tokenizer(),
        c.targetTokenizer()), c.optimizer(), c.trainer(), (ObjectNode) c.settings(), c.progress(), 1));
    Fixtures.assertSameFiles(Fixtures.committed().resolve(WriteFixtures.CHECKPOINT),
        dir.resolve("rewritten").resolve(NAME));
  }

  /**
   * A run of the fixture's settings on the same text resumes from the checkpoint, which today's trainer must accept
   * as one of its own (same settings, config and tokenizer): the run had finished, so no step is taken, and the model
   * ends with the best weights, step 1's, not those of the last step.
   */
  @Test
  void aRunWithTheSameSettingsResumesFromItWithoutAStep() throws IOException {
    Gpt model = Gpt.create(WriteFixtures.GPT, 999); // other initial weights: all must come from the checkpoint
    List<Long> steps = new ArrayList<>();
    TrainingProgress progress;
    SparkTrainer<Gpt, TokenChunk> trainer;
    try (SparkTokenStream data = SparkTokenStream.fromText(jsc.parallelize(WriteFixtures.TEXT, 1),
        WriteFixtures.GPT_TOKENIZER, WriteFixtures.GPT.blockSize(), WriteFixtures.PARTITIONS,
        WriteFixtures.VALIDATION_FRACTION)) {
      SparkTrainingOptions options = SparkTrainingOptions.defaults()
          .withCheckpoints(dir.resolve("checkpoints").toUri().toString(), 2).withResume(true);
      trainer = new SparkTrainer<>(data.objective(WriteFixtures.GPT, WriteFixtures.TRAINING), model,
          WriteFixtures.TRAINING, options, WriteFixtures.GPT_TOKENIZER, WriteFixtures.GPT_TOKENIZER);
      progress = trainer.train(data, data.validation(), WriteFixtures.VALIDATION, m -> steps.add(m.step()));
    }
    assertEquals(List.of(), steps);
    assertTrue(trainer.resumedFrom().orElseThrow().endsWith(NAME), trainer.resumedFrom().toString());
    assertEquals(expected.get("steps").size(), progress.steps());
    TrainingCheckpoint.Loaded c = load();
    assertArrayEquals(c.progress().bestWeights(), model.parameters().values().toArray());
    assertNotEquals(c.weights().values().get(0), model.parameters().values().get(0), "best is not the last step");
  }

  /**
   * With {@code --resume}, a directory whose every checkpoint is damaged is refused before any step, naming the
   * directory: a quiet start from step 0 would throw away the run the user meant to continue.
   */
  @Test
  void resumingWhenEveryCheckpointIsDamagedIsRefused() throws IOException {
    Path weights = dir.resolve("checkpoints").resolve(NAME).resolve(ModelFolder.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 1] ^= 1; // one bit of one weight: only the manifest's checksum can tell
    Files.write(weights, bytes);
    Gpt model = Gpt.create(WriteFixtures.GPT, 999);
    List<Long> steps = new ArrayList<>();
    try (SparkTokenStream data = SparkTokenStream.fromText(jsc.parallelize(WriteFixtures.TEXT, 1),
        WriteFixtures.GPT_TOKENIZER, WriteFixtures.GPT.blockSize(), WriteFixtures.PARTITIONS,
        WriteFixtures.VALIDATION_FRACTION)) {
      SparkTrainingOptions options = SparkTrainingOptions.defaults()
          .withCheckpoints(dir.resolve("checkpoints").toUri().toString(), 2).withResume(true);
      SparkTrainer<Gpt, TokenChunk> trainer = new SparkTrainer<>(data.objective(WriteFixtures.GPT,
          WriteFixtures.TRAINING), model, WriteFixtures.TRAINING, options, WriteFixtures.GPT_TOKENIZER,
          WriteFixtures.GPT_TOKENIZER);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> trainer.train(data, data.validation(), WriteFixtures.VALIDATION, m -> steps.add(m.step())));
      assertTrue(e.getMessage().contains("none of them is a valid checkpoint")
          && e.getMessage().contains(NAME) && e.getMessage().contains("nothing to resume from"), e.getMessage());
    }
    assertEquals(List.of(), steps, "no step taken");
    assertTrue(Files.isRegularFile(weights), "the damaged checkpoint is left for the user to repair or remove");
  }
}
