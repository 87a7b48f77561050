package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Texts;
import io.spindle.data.TokenSplit;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The in-process trainer: time-paced decay, reproducibility, threads, and learning the Jargon File. */
class LocalTrainerTest {
  private static final Path JARGON = Path.of("/usr/share/doc/jargon-text/jargon.txt.gz");

  private static TrainingConfig config(int steps, long seed) {
    return TrainingConfig.builder().steps(steps).batchSize(8).learningRate(3e-3).minLearningRate(3e-4)
        .warmupSteps(20).weightDecay(0.1).betas(0.9, 0.99).gradClip(1.0).seed(seed).build();
  }

  /** Trains a GPT in this JVM on {@code train}, validating on {@code validation} (at the end); the last metrics. */
  static StepMetrics trainLm(Gpt model, TrainingConfig config, int threads, int[] train, int[] validation,
      StepListener listener) throws java.io.IOException {
    int t = model.config().blockSize();
    LmObjective objective = new LmObjective(model.config(), config.seed(), config.batchSize(), train.length);
    return new LocalTrainer<>(objective, model, config, threads).train(LmObjective.whole(train, t),
        validation.length > 1 ? LmObjective.whole(validation, t) : null, ValidationPolicy.every(0), listener).last();
  }

  /**
   * With a time limit that ends the run long before its steps, the decay paced by time still ends at the minimum
   * rate, while the step-paced one is still near its peak. The last step starts at most one step's time before the
   * limit, so its rate is within a few percent of the way down (a step of this model takes milliseconds of 1.5 s).
   */
  @Test
  void decayOverTimeEndsAtTheMinimumWhenTimeRunsOut() throws Exception {
    String text = "abcabcabd ".repeat(50);
    int[] ids = tinyIds(text);
    GptConfig c = tinyConfig(text, 0.0);
    for (boolean byTime : new boolean[] {true, false}) {
      TrainingConfig config = TrainingConfig.builder().steps(1_000_000).batchSize(4).learningRate(1e-3)
          .minLearningRate(1e-4).warmupSteps(5).seed(3).maxSeconds(1.5).decayOverTime(byTime).build();
      StepMetrics last = trainLm(Gpt.create(c, 3), config, 1, ids, new int[0], m -> { });
      assertTrue(last.step() < 1_000_000 && last.elapsedSeconds() >= 1.5, "stopped by the time limit");
      if (byTime) {
        assertTrue(last.learningRate() < 1e-4 + 0.05 * 9e-4, "paced by time: near the minimum, got "
            + last.learningRate());
      } else {
        assertTrue(last.learningRate() > 9.9e-4, "paced by steps: near the peak, got " + last.learningRate());
      }
    }
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> TrainingConfig.builder().steps(10).decayOverTime(true).build());
    assertTrue(e.getMessage().contains("time limit"), e.getMessage());
  }

  /** The ids of {@code text} under a char tokenizer learned from it. */
  private static int[] tinyIds(String text) {
    return CharTokenizer.learn(List.of(text), TokenizerOptions.defaults()).encode(text);
  }

  /** A one-layer GPT of width 16 over {@code text}'s characters. */
  private static GptConfig tinyConfig(String text, double dropout) {
    int vocab = CharTokenizer.learn(List.of(text), TokenizerOptions.defaults()).vocabSize();
    return new GptConfig(vocab, 16, 1, 2, 16, dropout, true);
  }

  @Test
  void seededRunIsReproducibleBitForBit() throws Exception {
    String text = "abcabcabd ".repeat(50);
    int[] ids = tinyIds(text);
    GptConfig c = tinyConfig(text, 0.1);
    float[][] weights = new float[2][];
    for (int run = 0; run < 2; run++) {
      Gpt model = Gpt.create(c, 3);
      trainLm(model, config(4, 3), 1, ids, new int[0], m -> { });
      weights[run] = model.parameters().values().toArray();
    }
    assertArrayEquals(weights[0], weights[1]);
  }

  /**
   * Two trainer threads train the same model as one, up to float rounding, and are themselves reproducible bit for
   * bit. Compared through the per-step losses: weights are a poor yardstick here because AdamW turns a gradient entry
   * that is zero in exact arithmetic (the attention key bias's, say) into a full-size step in the direction of its
   * rounding noise, which differs between the two summation orders. The losses of 6 steps agreeing to 1e-4 relative
   * shows the shards add up to the whole batch; a dropped or doubled shard moves them by percent.
   */
  @Test
  void twoThreadsTrainLikeOne() throws Exception {
    String text = "the quick brown fox jumps over the lazy dog. ".repeat(40);
    CharTokenizer tok = CharTokenizer.learn(List.of(text), TokenizerOptions.defaults());
    int[] ids = tok.encode(text);
    GptConfig c = new GptConfig(tok.vocabSize(), 16, 2, 2, 16, 0.0, true);
    double[][] losses = new double[3][6];
    float[][] weights = new float[3][];
    int[] threads = {1, 2, 2};
    for (int run = 0; run < 3; run++) {
      Gpt model = Gpt.create(c, 3);
      List<StepMetrics> log = new ArrayList<>();
      trainLm(model, config(6, 3), threads[run], ids, new int[0], log::add);
      for (int s = 0; s < 6; s++) {
        losses[run][s] = log.get(s).loss();
      }
      weights[run] = model.parameters().values().toArray();
    }
    for (int s = 0; s < 6; s++) {
      assertEquals(losses[0][s], losses[1][s], 1e-4 * losses[0][s], "loss of step " + (s + 1));
    }
    assertArrayEquals(weights[1], weights[2]);
  }

  /**
   * The short version of the Jargon File acceptance run: a small char model on the first 300 KB must get well below
   * the unigram entropy (about 3.26 nats/char for this text: the best a model without context can do) on held-out
   * text within a few hundred steps.
   */
  @Test
  void learnsTheJargonFileBeyondUnigramStatistics() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(JARGON), "jargon-text is not installed");
    String text = Texts.read(JARGON).substring(0, 300_000);
    CharTokenizer tok = CharTokenizer.learn(List.of(text), TokenizerOptions.defaults());
    TokenSplit split = TokenSplit.of(tok.encode(text), 0.05);
    double unigram = unigramEntropy(split.train(), split.validation());
    assertTrue(unigram > 3.0, "unigram entropy " + unigram);
    Gpt model = Gpt.create(new GptConfig(tok.vocabSize(), 64, 2, 4, 64, 0.0, true), 1);
    List<StepMetrics> log = new ArrayList<>();
    StepMetrics last = trainLm(model, TrainingConfig.builder().steps(300).batchSize(32).learningRate(5e-3)
        .warmupSteps(30).seed(1).build(), 1, split.train(), split.validation(), log::add);
    assertEquals(300, log.size());
    System.out.println("jargon slice: validation loss " + last.validationLoss() + ", unigram " + unigram);
    assertTrue(last.validationLoss() < unigram - 0.6,
        "validation loss " + last.validationLoss() + " vs unigram entropy " + unigram);
  }

  /** Cross-entropy of the validation tokens under the training tokens' unigram frequencies (add-one smoothed). */
  private static double unigramEntropy(int[] train, int[] validation) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int t : train) {
      counts.merge(t, 1, Integer::sum);
    }
    double total = train.length + counts.size() + 1;
    double nll = 0;
    for (int t : validation) {
      nll -= Math.log((counts.getOrDefault(t, 0) + 1) / total);
    }
    return nll / validation.length;
  }
}
