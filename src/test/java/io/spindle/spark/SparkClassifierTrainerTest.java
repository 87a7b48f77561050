package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderConfig;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The classifier on Spark ({@code local[2]}, Kryo with registration required): the same weights for 1 and 3
 * partitions (with micro-batches), it learns a separable task, and bad examples are refused before training.
 */
class SparkClassifierTrainerTest {
  static final EncoderConfig MODEL = EncoderConfig.of(13, 12, 1, 2, 16, 3);
  static JavaSparkContext jsc;

  @BeforeAll
  static void start() {
    jsc = SparkFixtures.context("local[2]", true);
  }

  @AfterAll
  static void stop() {
    jsc.stop();
  }

  /** Class c draws most tokens from {1+4c .. 4+4c}, one in five from the whole vocabulary. */
  static List<LabeledSequence> examples(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<LabeledSequence> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = r.nextInt(3);
      int[] ids = new int[3 + r.nextInt(8)];
      for (int t = 0; t < ids.length; t++) {
        ids[t] = r.nextInt(5) == 0 ? r.nextInt(13) : 1 + 4 * label + r.nextInt(4);
      }
      out.add(new LabeledSequence(ids, label));
    }
    return out;
  }

  static TrainingConfig training(int steps) {
    return TrainingConfig.builder().steps(steps).batchSize(16).learningRate(3e-3).minLearningRate(3e-4)
        .warmupSteps(2).weightDecay(0.01).betas(0.9, 0.99).gradClip(1.0).seed(5).build();
  }

  static float[] train(int partitions, int steps, SparkTrainingOptions options, List<StepMetrics> metrics)
      throws Exception {
    return train(partitions, training(steps), options, metrics);
  }

  static float[] train(int partitions, TrainingConfig config, SparkTrainingOptions options,
      List<StepMetrics> metrics) throws Exception {
    EncoderClassifier model = EncoderClassifier.create(MODEL, 11);
    try (SparkExamples data = SparkExamples.of(jsc.parallelize(examples(200, 1), partitions), 13, 3)) {
      new SparkTrainer<>(data.objective(MODEL, config), model, config, options, null, null).train(data, null,
          null, metrics::add);
    }
    return model.parameters().values().toArray();
  }

  @Test
  void partitioningsTrainToTheSameWeights() throws Exception {
    float[] one = train(1, 4, SparkTrainingOptions.defaults(), new ArrayList<>());
    float[] three = train(3, training(4).toBuilder().microBatches(2).build(), SparkTrainingOptions.defaults(),
        new ArrayList<>());
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < one.length; i++) {
      diff2 += (double) (three[i] - one[i]) * (three[i] - one[i]);
      norm2 += (double) one[i] * one[i];
    }
    assertTrue(Math.sqrt(diff2) <= 1e-5 * Math.sqrt(norm2), "relative difference " + Math.sqrt(diff2 / norm2));
  }

  @Test
  void learnsASeparableTask() throws Exception {
    List<StepMetrics> metrics = new ArrayList<>();
    train(2, 60, SparkTrainingOptions.defaults(), metrics);
    double first = metrics.get(0).loss();
    double last = (metrics.get(57).loss() + metrics.get(58).loss() + metrics.get(59).loss()) / 3;
    assertTrue(first > 0.9 && last < 0.3, "loss " + first + " -> " + last);
  }

  @Test
  void badExamplesAreRefusedBeforeTraining() {
    List<LabeledSequence> bad = new ArrayList<>(examples(20, 2));
    bad.add(new LabeledSequence(new int[] {1, 2}, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SparkExamples.of(jsc.parallelize(bad, 2), 13, 3));
    assertTrue(e.getMessage().contains("label 3 outside [0, 3)"), e.getMessage());
    List<LabeledSequence> empty = List.of(new LabeledSequence(new int[0], 0));
    e = assertThrows(IllegalArgumentException.class, () -> SparkExamples.of(jsc.parallelize(empty, 1), 13, 3));
    assertTrue(e.getMessage().contains("no token ids"), e.getMessage());
    List<LabeledSequence> outside = List.of(new LabeledSequence(new int[] {13}, 0));
    e = assertThrows(IllegalArgumentException.class, () -> SparkExamples.of(jsc.parallelize(outside, 1), 13, 3));
    assertTrue(e.getMessage().contains("token id 13"), e.getMessage());
  }
}
