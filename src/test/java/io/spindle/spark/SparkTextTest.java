package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spindle.data.BpeTokenizer;
import io.spindle.data.CharTokenizer;
import io.spindle.data.Special;
import io.spindle.data.Texts;
import io.spindle.data.TokenSplit;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.data.WordTokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.train.LmObjective;
import io.spindle.train.LocalTrainer;
import io.spindle.train.StepMetrics;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.ValidationPolicy;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text tokenized on the executors ({@link SparkVocabulary}, {@link SparkTokenStream#fromText}) on {@code local[2]}
 * with Kryo registration required: the same vocabulary, ids, validation tail and (on 1 partition) trained weights as
 * tokenizing the joined text on the driver, also from a gzipped file read with {@code textFile} and with an empty
 * first partition.
 */
class SparkTextTest {
  static final Path JARGON = Path.of("/usr/share/doc/jargon-text/jargon.txt.gz");
  static JavaSparkContext jsc;
  static String text;
  static List<String> lines;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isReadable(JARGON), "jargon-text is not installed");
    String slice = Texts.read(JARGON).substring(0, 60_000);
    text = slice.substring(0, slice.lastIndexOf('\n')); // whole lines, no final newline
    lines = Arrays.asList(text.split("\n", -1));
    jsc = SparkFixtures.context("local[2]", true);
  }

  @AfterAll
  static void stop() {
    if (jsc != null) {
      jsc.stop();
    }
  }

  /** The lines in 4 partitions behind an empty one, so the first line is not in partition 0. */
  static JavaRDD<String> distributed() {
    JavaRDD<String> rdd = jsc.<String>parallelize(List.of(), 1).union(jsc.parallelize(lines, 4));
    List<Integer> sizes = rdd.mapPartitions(it -> {
      int n = 0;
      for (; it.hasNext(); it.next()) {
        n++;
      }
      return List.of(n).iterator();
    }).collect();
    assertEquals(0, sizes.get(0), "partition 0 is empty: " + sizes);
    return rdd;
  }

  @Test
  void vocabulariesLearnedOnTheExecutorsEqualTheDriversOnTheJoinedText() {
    TokenizerOptions chars = TokenizerOptions.defaults().withMinCount(3);
    Tokenizer learned = SparkVocabulary.learn(distributed(), "char", chars);
    assertEquals(CharTokenizer.learn(List.of(text), chars), learned);
    assertTrue(learned.vocabulary().contains("\n"), "the newlines between lines are counted");
    TokenizerOptions words = TokenizerOptions.defaults().withMinCount(2).withMaxVocabSize(500).withLowercase(true);
    assertEquals(WordTokenizer.learn(List.of(text), words), SparkVocabulary.learn(distributed(), "word", words));
  }

  @Test
  void bpeMergesLearnedFromExecutorCountsEqualTheDriversOnTheJoinedText() {
    TokenizerOptions options = TokenizerOptions.defaults().withMaxVocabSize(4 + 256 + 400).withMinCount(2);
    BpeTokenizer inProcess = BpeTokenizer.learn(List.of(text), options);
    Tokenizer onSpark = SparkVocabulary.learn(distributed(), "bpe", options);
    assertEquals(400, inProcess.merges().size());
    assertEquals(inProcess.merges(), ((BpeTokenizer) onSpark).merges());
    assertEquals(inProcess, onSpark);
    List<String> documents = lines.subList(0, 300);
    assertEquals(BpeTokenizer.learn(documents, options.withLowercase(true)), SparkVocabulary.learnFromDocuments(
        jsc.parallelize(documents, 3), "bpe", options.withLowercase(true)));
    TokenSplit split = TokenSplit.of(inProcess.encode(text), 0.1);
    try (SparkTokenStream data = SparkTokenStream.fromText(distributed(), onSpark, 16, 2, 0.1)) {
      assertEquals(split.train().length, data.length(), "the executors' ids are those of the joined text");
      assertArrayEquals(split.validation(), data.validationTokens());
    }
  }

  @Test
  void theStreamHasTheDriversIdsAndValidationTail() {
    for (String type : List.of("char", "word")) {
      TokenizerOptions options = TokenizerOptions.defaults();
      Tokenizer tok = "char".equals(type) ? CharTokenizer.learn(List.of(text), options)
          : WordTokenizer.learn(List.of(text), options);
      TokenSplit split = TokenSplit.of(tok.encode(text), 0.1);
      try (SparkTokenStream data = SparkTokenStream.fromText(distributed(), tok, 16, 3, 0.1);
          SparkTokenStream driver = SparkTokenStream.fromTokens(jsc, split.train(), 16, tok.vocabSize(), 3)) {
        assertEquals(split.train().length, data.length(), type);
        assertArrayEquals(split.validation(), data.validationTokens(), type);
        assertEquals(driver.chunks().collect(), data.chunks().collect(), type + ": chunks");
      }
    }
  }

  @Test
  void onePartitionTrainsTheInProcessTrainersWeightsBitForBit() throws Exception {
    Tokenizer tok = CharTokenizer.learn(List.of(text), TokenizerOptions.defaults());
    GptConfig config = new GptConfig(tok.vocabSize(), 16, 1, 2, 16, 0.0, true);
    TrainingConfig training = TrainingConfig.builder().steps(3).batchSize(8).learningRate(3e-3)
        .minLearningRate(3e-4).warmupSteps(1).seed(5).build();
    TokenSplit split = TokenSplit.of(tok.encode(text), 0.05);
    Gpt inProcess = Gpt.create(config, 5);
    StepMetrics expected = new LocalTrainer<>(new LmObjective(config, 5, 8, split.train().length), inProcess,
        training, 1).train(LmObjective.whole(split.train(), 16), LmObjective.whole(split.validation(), 16),
        ValidationPolicy.every(0), m -> { }).last();
    Gpt onSpark = Gpt.create(config, 5);
    StepMetrics actual;
    try (SparkTokenStream data = SparkTokenStream.fromText(distributed(), tok, 16, 1, 0.05)) {
      actual = new SparkTrainer<>(data.objective(config, training), onSpark, training,
          SparkTrainingOptions.defaults(), tok, tok).train(data, data.validation(), ValidationPolicy.every(0),
          m -> { }).last();
    }
    assertArrayEquals(inProcess.parameters().values().toArray(), onSpark.parameters().values().toArray());
    assertEquals(expected.validationLoss(), actual.validationLoss());
    assertTrue(actual.evaluated());
  }

  @Test
  void aGzippedFileReadWithTextFileGivesTheSameStream(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("corpus.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write((text + "\n").getBytes(StandardCharsets.UTF_8)); // the final newline adds no line
    }
    JavaRDD<String> fileLines = jsc.textFile(file.toUri().toString());
    TokenizerOptions options = TokenizerOptions.defaults();
    Tokenizer tok = SparkVocabulary.learn(fileLines, "char", options);
    assertEquals(CharTokenizer.learn(List.of(text), options), tok);
    try (SparkTokenStream data = SparkTokenStream.fromText(fileLines, tok, 16, 2, 0.0)) {
      int[] expected = tok.encode(text);
      assertEquals(expected.length, data.length());
      assertEquals(0, data.validationTokens().length);
      List<Integer> joined = new ArrayList<>();
      for (TokenChunk c : data.chunks().collect()) {
        for (int i = 0; i < c.owned(); i++) {
          joined.add(c.tokens()[i]);
        }
      }
      assertArrayEquals(expected, joined.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void badLinesAreNamed() {
    JavaRDD<String> withNull = jsc.parallelize(Arrays.asList("abc", null, "def"), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SparkVocabulary.learn(withNull, "char", TokenizerOptions.defaults()));
    assertTrue(e.getMessage().contains("line 1 of partition 0 is null"), e.getMessage());
    Tokenizer noUnk = CharTokenizer.learn(List.of("abc\ndef"), TokenizerOptions.defaults()
        .withSpecials(Special.PAD));
    e = assertThrows(IllegalArgumentException.class, () -> SparkTokenStream.fromText(
        jsc.parallelize(List.of("abcdefabcdef", "abcxyz"), 2), noUnk, 4, 1, 0.0).close());
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SparkVocabulary.learn(jsc.parallelize(List.of("a"), 1), "bytes", TokenizerOptions.defaults()));
    assertTrue(e.getMessage().contains("'bytes'"), e.getMessage());
  }
}
