package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints on the local Hadoop file system: a run stopped after step 3 (its SparkContext stopped too) resumes from
 * step 2 to the weights of an uninterrupted run; truncated and corrupted checkpoints are skipped for the previous
 * one; a directory of another model is refused before any step; non-finite weights are never written; the leftovers
 * of a write cut off by a crash are cleared when the run resumes, and only the newest checkpoints are kept.
 */
class SparkCheckpointTest {
  static final int STEPS = 6;
  static final int PARTITIONS = 2;
  static JavaSparkContext jsc;
  static float[] uninterrupted;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    jsc = SparkFixtures.context("local[2]", false);
    uninterrupted = SparkFixtures.spark(jsc, PARTITIONS, STEPS, SparkTrainingOptions.defaults());
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  /** Trains {@code model} for {@link #STEPS} steps with {@code options}; returns the steps it reported. */
  static List<Long> train(Gpt model, SparkTrainingOptions options, long crashAfter, String[] resumedFrom)
      throws IOException {
    return train(model, SparkFixtures.training(STEPS), options, crashAfter, resumedFrom);
  }

  static List<Long> train(Gpt model, TrainingConfig config, SparkTrainingOptions options, long crashAfter,
      String[] resumedFrom) throws IOException {
    List<Long> steps = new ArrayList<>();
    try (SparkTokenStream data = SparkTokenStream.fromTokens(jsc, SparkFixtures.tokens(), 16, 24, PARTITIONS)) {
      SparkTrainer<Gpt, TokenChunk> trainer = SparkFixtures.trainer(model, config, options, data);
      try {
        trainer.train(data, null, null, m -> {
          steps.add(m.step());
          if (m.step() == crashAfter) {
            throw new IllegalStateException("simulated crash after step " + crashAfter);
          }
        });
      } finally {
        resumedFrom[0] = trainer.resumedFrom().orElse(null);
      }
    }
    return steps;
  }

  @Test
  void aRunStoppedAfterStepThreeResumesToTheUninterruptedWeights() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toUri().toString(), 2);
    String[] resumed = new String[1];
    assertThrows(IllegalStateException.class,
        () -> train(Gpt.create(SparkFixtures.MODEL, SparkFixtures.SEED), options, 3, resumed));
    jsc.stop();
    jsc = SparkFixtures.context("local[2]", false);
    Gpt fresh = Gpt.create(SparkFixtures.MODEL, 999); // other initial weights: all must come from the checkpoint
    List<Long> steps = train(fresh, options.withResume(true), -1, resumed);
    assertEquals(List.of(3L, 4L, 5L, 6L), steps);
    assertTrue(resumed[0].endsWith("step-00000002"), resumed[0]);
    assertArrayEquals(uninterrupted, fresh.parameters().values().toArray());
  }

  @Test
  void anInterruptedWriteIsClearedOnResumeAndOnlyTheNewestCheckpointIsKept() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2)
        .withKeepCheckpoints(1);
    String[] resumed = new String[1];
    assertThrows(IllegalStateException.class,
        () -> train(Gpt.create(SparkFixtures.MODEL, SparkFixtures.SEED), options, 3, resumed));
    // as if the run had died while writing step 4: a temporary directory holding part of a checkpoint
    Path partial = Files.createDirectory(dir.resolve(".step-00000004.tmp-5eed"));
    Files.copy(dir.resolve("step-00000002/model.safetensors"), partial.resolve("model.safetensors"));

    Gpt fresh = Gpt.create(SparkFixtures.MODEL, 999);
    assertEquals(List.of(3L, 4L, 5L, 6L), train(fresh, options.withResume(true), -1, resumed));
    assertTrue(resumed[0].endsWith("step-00000002"), resumed[0]);
    assertArrayEquals(uninterrupted, fresh.parameters().values().toArray());
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("step-00000006"), s.map(p -> p.getFileName().toString()).toList(),
          "the partial write is gone and, keeping 1, so are steps 2 and 4");
    }
  }

  @Test
  void truncatedAndCorruptedCheckpointsAreSkippedForThePreviousOne() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2);
    train(Gpt.create(SparkFixtures.MODEL, SparkFixtures.SEED), options, -1, new String[1]);
    CheckpointStore store = CheckpointStore.open(dir.toString(), new Configuration());
    assertEquals(List.of("step-00000006", "step-00000004", "step-00000002"), store.committed());

    Path weights = dir.resolve("step-00000006/model.safetensors");
    try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    IOException truncated = assertThrows(IOException.class, () -> load(store, "step-00000006"));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    assertTrue(latestValid(store).endsWith("step-00000004"));

    Path optimizer = dir.resolve("step-00000004/optimizer.bin");
    Files.deleteIfExists(dir.resolve("step-00000004/.optimizer.bin.crc")); // so that our SHA-256 is what notices
    try (RandomAccessFile f = new RandomAccessFile(optimizer.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x10);
    }
    IOException corrupt = assertThrows(IOException.class, () -> load(store, "step-00000004"));
    assertTrue(corrupt.getMessage().contains("SHA-256"), corrupt.getMessage());
    assertTrue(latestValid(store).endsWith("step-00000002"));

    Gpt resumed = Gpt.create(SparkFixtures.MODEL, 999);
    String[] from = new String[1];
    assertEquals(List.of(3L, 4L, 5L, 6L), train(resumed, options.withResume(true), -1, from));
    assertTrue(from[0].endsWith("step-00000002"), from[0]);
    assertArrayEquals(uninterrupted, resumed.parameters().values().toArray());
    assertEquals(List.of("step-00000006", "step-00000004", "step-00000002"), store.committed());
    load(store, "step-00000006"); // rewritten whole
  }

  /** Reads a language model's checkpoint {@code name}, verifying every file. */
  static TrainingCheckpoint.Loaded load(CheckpointStore store, String name) throws IOException {
    return TrainingCheckpoint.load(store, name, GptFormat.INSTANCE, null);
  }

  /** The location of the newest checkpoint that loads. */
  static String latestValid(CheckpointStore store) throws IOException {
    return store.latestValid(name -> load(store, name)).orElseThrow().location();
  }

  @Test
  void checkpointsOfAnotherModelOrAnEarlierRunAreRefused() throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 3);
    GptConfig smaller = new GptConfig(24, 16, 1, 2, 8, 0.0, true);
    assertThrows(IllegalStateException.class, () -> train(Gpt.create(smaller, 1), options, 4, new String[1]));
    List<Long> steps = new ArrayList<>();
    for (SparkTrainingOptions o : List.of(options, options.withResume(true))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> steps.addAll(train(Gpt.create(SparkFixtures.MODEL, 1), o, -1, new String[1])));
      assertTrue(e.getMessage().contains("another model") && e.getMessage().contains("step-00000003"),
          e.getMessage());
    }
    assertTrue(steps.isEmpty(), "no step ran");
    IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
        () -> train(Gpt.create(smaller, 1), options, -1, new String[1]));
    assertTrue(again.getMessage().contains("already holds checkpoints"), again.getMessage());
  }

  @Test
  void nonFiniteWeightsStopTrainingOrAreNeverWritten() throws Exception {
    Gpt poisoned = Gpt.create(SparkFixtures.MODEL, SparkFixtures.SEED);
    poisoned.parameters().values().set(5, Float.NaN);
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 1);
    TrainingConfig stopping = SparkFixtures.training(STEPS).toBuilder().nonFinite(TrainingConfig.NonFinite.STOP).build();
    ArithmeticException stop = assertThrows(ArithmeticException.class,
        () -> train(poisoned, stopping, options, -1, new String[1]));
    assertTrue(stop.getMessage().contains("step 1"), stop.getMessage());
    List<Long> skipped = train(poisoned, options, -1, new String[1]);
    assertEquals(STEPS, skipped.size(), "every step skipped, none stopped");
    assertTrue(CheckpointStore.open(dir.toString(), new Configuration()).committed().isEmpty());
  }

  @Test
  void anUnusableCheckpointDirectoryIsRefusedBeforeAnyStep() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    List<Long> steps = new ArrayList<>();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> steps.addAll(
        train(Gpt.create(SparkFixtures.MODEL, 1), SparkTrainingOptions.defaults()
            .withCheckpoints(file.resolve("checkpoints").toString(), 1), -1, new String[1])));
    assertTrue(e.getMessage().contains("checkpoint directory"), e.getMessage());
    assertFalse(steps.size() > 0);
  }
}
