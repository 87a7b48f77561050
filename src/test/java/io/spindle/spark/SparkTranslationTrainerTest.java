package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.NormPlacement;
import io.spindle.nn.Translator;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The translation trainer on Spark ({@code local[2]}, Kryo with registration required): the same weights for 1 and
 * 3 partitions (with micro-batches), it learns a letter-swapping copy of short strings, bad pairs are refused
 * before training, and batched inference in tasks gives the driver's translations.
 */
class SparkTranslationTrainerTest {
  static final Tokenizer TOKENIZER = CharTokenizer.learn(List.of("abcdefgh"), TokenizerOptions.defaults());
  /**
   * Dropout off: its masks depend on the micro-batch layout, so partitionings would differ statistically. Output
   * untied, as in {@code TranslatorTest}: a tiny model learns faster without the tied output's initial echo.
   */
  static final EncoderDecoderConfig MODEL = EncoderDecoderConfig.of(12, 12, 8, 9, 1, 2, 32).withDropout(0)
      .withNormPlacement(NormPlacement.PRE).withEmbeddings(true, false);
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    jsc = SparkFixtures.context("local[2]", true);
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  /** Strings of 2..6 letters a..h, each followed by itself with a and b swapped (a copy that must look). */
  static List<TranslationPair> pairs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<TranslationPair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder s = new StringBuilder();
      int length = 2 + r.nextInt(5);
      for (int t = 0; t < length; t++) {
        s.append((char) ('a' + r.nextInt(8)));
      }
      String swapped = s.toString().replace('a', '_').replace('b', 'a').replace('_', 'b');
      out.add(new TranslationPair(TOKENIZER.encode(s.toString()), TOKENIZER.encode(swapped)));
    }
    return out;
  }

  static TrainingConfig training(int steps) {
    return TrainingConfig.builder().steps(steps).batchSize(16).learningRate(5e-3).minLearningRate(5e-4)
        .warmupSteps(5).weightDecay(0.01).betas(0.9, 0.98).gradClip(1.0).seed(5).build();
  }

  static EncoderDecoder train(int partitions, int steps, SparkTrainingOptions options, List<StepMetrics> metrics)
      throws Exception {
    return train(partitions, training(steps), options, metrics);
  }

  static EncoderDecoder train(int partitions, TrainingConfig config, SparkTrainingOptions options,
      List<StepMetrics> metrics) throws Exception {
    EncoderDecoder model = EncoderDecoder.create(MODEL, 11);
    try (SparkTranslationPairs data = SparkTranslationPairs.of(jsc.parallelize(pairs(200, 1), partitions), 12,
        12)) {
      new SparkTrainer<>(data.objective(MODEL, TOKENIZER, TOKENIZER, config), model, config, options, TOKENIZER,
          TOKENIZER).train(data, null, null, metrics::add);
    }
    return model;
  }

  @Test
  void partitioningsTrainToTheSameWeights() throws Exception {
    float[] one = train(1, 4, SparkTrainingOptions.defaults(), new ArrayList<>()).parameters().values().toArray();
    float[] three = train(3, training(4).toBuilder().microBatches(2).build(), SparkTrainingOptions.defaults(),
        new ArrayList<>())
        .parameters().values().toArray();
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < one.length; i++) {
      diff2 += (double) (three[i] - one[i]) * (three[i] - one[i]);
      norm2 += (double) one[i] * one[i];
    }
    // float sums in another order differ by rounding (~1e-7 relative per step); 4 AdamW steps stay far below 1e-5
    assertTrue(Math.sqrt(diff2) <= 1e-5 * Math.sqrt(norm2), "relative difference " + Math.sqrt(diff2 / norm2));
  }

  @Test
  void learnsAndTranslatesInTasksAsOnTheDriver() throws Exception {
    List<StepMetrics> metrics = new ArrayList<>();
    EncoderDecoder model = train(2, 150, SparkTrainingOptions.defaults(), metrics);
    double first = metrics.get(0).loss();
    double last = (metrics.get(147).loss() + metrics.get(148).loss() + metrics.get(149).loss()) / 3;
    // uniform guessing over 12 tokens costs ln 12 = 2.48; label smoothing 0.1 keeps even a perfect model near 0.5
    assertTrue(first > 2.0 && last < 1.0, "loss " + first + " -> " + last);

    List<TranslationPair> test = pairs(24, 99);
    List<int[]> sources = new ArrayList<>();
    for (TranslationPair p : test) {
      sources.add(p.source());
    }
    Translator driver = Translator.of(model, TOKENIZER);
    TranslationInference inference = TranslationInference.broadcast(jsc, model, TOKENIZER, TOKENIZER);
    try {
      List<int[]> tasks = new ArrayList<>();
      for (int[][] part : jsc.parallelize(sources, 2).mapPartitions(rows -> {
        List<int[]> batch = new ArrayList<>();
        rows.forEachRemaining(batch::add);
        return List.<int[][]>of(inference.translateIds(batch, 1, 0.0, 0)).iterator();
      }).collect()) {
        tasks.addAll(List.of(part));
      }
      int correct = 0;
      for (int i = 0; i < sources.size(); i++) {
        assertArrayEquals(driver.greedy(sources.get(i), MODEL.maxTargetLength()), tasks.get(i), "row " + i);
        correct += Arrays.equals(tasks.get(i), test.get(i).target()) ? 1 : 0;
      }
      assertTrue(correct >= 12, correct + " of 24 translated exactly");
      List<String> texts = jsc.parallelize(List.of("abc", "hgf"), 1).mapPartitions(rows -> {
        List<String> batch = new ArrayList<>();
        rows.forEachRemaining(batch::add);
        return inference.translate(batch, 3, 0.6, 0).iterator();
      }).collect();
      assertEquals(2, texts.size());
    } finally {
      inference.destroy();
    }
  }

  @Test
  void badPairsAreRefusedBeforeTraining() {
    List<TranslationPair> empty = List.of(new TranslationPair(new int[0], new int[] {4}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SparkTranslationPairs.of(jsc.parallelize(empty, 1), 12, 12));
    assertTrue(e.getMessage().contains("no source ids"), e.getMessage());
    List<TranslationPair> outside = new ArrayList<>(pairs(10, 3));
    outside.add(new TranslationPair(new int[] {4}, new int[] {5, 12}));
    e = assertThrows(IllegalArgumentException.class, () -> SparkTranslationPairs.of(jsc.parallelize(outside, 2), 12,
        12));
    assertTrue(e.getMessage().contains("target id 12 at position 1 outside the target vocabulary [0, 12)"),
        e.getMessage());
    try (SparkTranslationPairs pairs = SparkTranslationPairs.of(jsc.parallelize(pairs(10, 3), 2), 12, 13)) {
      e = assertThrows(IllegalArgumentException.class, () -> pairs.objective(MODEL, TOKENIZER, TOKENIZER,
          training(1)));
      assertTrue(e.getMessage().contains("target vocabulary 13"), e.getMessage());
    }
  }
}
