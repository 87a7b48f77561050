package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.train.TokenChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local[1]}: with one partition the Spark trainer is the in-process trainer, to the bit; and every kind of bad
 * training data is reported, naming the problem, before a training step runs.
 */
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

  @TempDir
  Path dir;

  static void assertRefused(String expected, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention '" + expected + "'");
  }

  @Test
  void anEmptyDatasetIsRefused() {
    assertRefused("the dataset is empty",
        () -> SparkTokenStream.of(jsc.parallelize(List.of(new int[0], new int[0]), 2), 16, 24, 2));
    assertRefused("the dataset is empty", () -> SparkTokenStream.of(jsc.emptyRDD(), 16, 24, 2));
  }

  @Test
  void aStreamShorterThanTheBlockSizeIsRefused() {
    assertRefused("has 16 tokens; block size 16 needs at least 17",
        () -> SparkTokenStream.of(jsc.parallelize(List.of(new int[10], new int[6]), 2), 16, 24, 1));
  }

  @Test
  void shortSequencesAreJoinedIntoOneStream() {
    int[] tokens = SparkFixtures.tokens();
    List<int[]> pieces = new java.util.ArrayList<>();
    for (int start = 0; start < tokens.length; start += 7) { // sequences of 7 tokens, shorter than T = 16
      pieces.add(java.util.Arrays.copyOfRange(tokens, start, Math.min(tokens.length, start + 7)));
    }
    try (SparkTokenStream s = SparkTokenStream.of(jsc.parallelize(pieces, 3), 16, 24, 4)) {
      assertEquals(tokens.length, s.length());
      for (TokenChunk c : s.chunks().collect()) {
        long start = c.offset();
        assertArrayEquals(java.util.Arrays.copyOfRange(tokens, (int) start, (int) start + c.tokens().length),
            c.tokens(), "chunk " + c.index());
        assertEquals(c.index() == 3 ? tokens.length - start : Math.min(c.owned() + 16, tokens.length - start),
            c.tokens().length, "chunk " + c.index() + " holds its range and T tokens of overlap");
      }
    }
  }

  @Test
  void tokenIdsOutsideTheVocabularyAreRefused() {
    int[] bad = SparkFixtures.tokens();
    bad[1234] = 24;
    assertRefused("token id 24", () -> SparkTokenStream.fromTokens(jsc, bad, 16, 24, 2));
    bad[1234] = -3;
    assertRefused("outside the vocabulary [0, 24)", () -> SparkTokenStream.fromTokens(jsc, bad, 16, 24, 2));
  }

  @Test
  void tokenIdFilesAreReadAndBadOnesRefused() throws Exception {
    Files.writeString(dir.resolve("a.txt"), "1 2 3 4 5 6 7 8 9 10\n11 12 13\n");
    Files.writeString(dir.resolve("b.txt"), "14 15 16 17 18 19 20\n");
    try (SparkTokenStream s = SparkTokenStream.fromTokenIdFiles(jsc, dir.toString(), 16, 24, 2)) {
      assertEquals(20, s.length());
    }
    assertRefused("no file matches", () -> SparkTokenStream.fromTokenIdFiles(jsc,
        dir.resolve("missing-*.txt").toString(), 16, 24, 2));
    Path empty = dir.resolve("sub");
    Files.createDirectory(empty);
    assertRefused("no readable file", () -> SparkTokenStream.fromTokenIdFiles(jsc, empty.toString(), 16, 24,
        2));
    Files.writeString(dir.resolve("c.txt"), "1 2 three 4\n");
    assertRefused("'three' is not a token id", () -> SparkTokenStream.fromTokenIdFiles(jsc,
        dir.resolve("c.txt").toString(), 2, 24, 1));
  }

  @Test
  void dataBuiltForAnotherBlockSizeIsRefused() throws Exception {
    Gpt model = Gpt.create(new GptConfig(24, 8, 1, 2, 16, 0.0, true), 1);
    try (SparkTokenStream s = SparkTokenStream.fromTokens(jsc, SparkFixtures.tokens(), 16, 24, 1)) {
      assertRefused("block size 16", () -> SparkFixtures.trainer(model, SparkFixtures.training(1),
          SparkTrainingOptions.defaults(), s).train(s, null, null, m -> { }));
    }
  }
}
