package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.Gpt;
import io.spindle.nn.Network;
import io.spindle.train.DataPart;
import io.spindle.train.ExampleChunk;
import io.spindle.train.LmObjective;
import io.spindle.train.LocalTrainer;
import io.spindle.train.Objective;
import io.spindle.train.PairChunk;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** A model family as this test drives it: its model, its data on Spark and in one part, and its objective. */
  interface Family<M extends Network<?>, D extends DataPart> {
    M model(long seed);

    float[] weights(M model);

    /** The training data in {@code partitions} parts. */
    SparkParts<D> data(int partitions);

    /** Held-out data, a few parts. */
    SparkParts<D> validation();

    /** All the training data as one part, for the trainer in this JVM. */
    D whole();

    Objective<M, D> objective(SparkParts<D> data, TrainingConfig config);

    Tokenizer tokenizer();
  }

  static Stream<Family<?, ?>> families() {
    return Stream.of(new Lm(), new Classifier(), new Translator());
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
  static <M extends Network<?>, D extends DataPart> Run spark(Family<M, D> family, long init, TrainingConfig config,
      SparkTrainingOptions options, ValidationPolicy policy, long crashAfter) throws Exception {
    M model = family.model(init);
    SparkParts<D> data = family.data(PARTITIONS);
    SparkTrainer<M, D> trainer = new SparkTrainer<>(family.objective(data, config), model, config, options,
        family.tokenizer(), family.tokenizer());
    List<Long> steps = new ArrayList<>();
    TrainingProgress progress = trainer.train(data, policy == null ? null : family.validation(), policy, m -> {
      steps.add(m.step());
      if (m.step() == crashAfter) {
        throw new IllegalStateException("simulated crash after step " + crashAfter);
      }
    });
    return new Run(family.weights(model), progress, steps, trainer.resumedFrom().orElse(null));
  }

  /** The weights after step {@code step} of a run with {@code config} (the run stopped there by its listener). */
  static <M extends Network<?>, D extends DataPart> float[] weightsAfter(Family<M, D> family, long step, TrainingConfig config)
      throws Exception {
    M model = family.model(11);
    SparkParts<D> data = family.data(PARTITIONS);
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
  void aRunStoppedAfterStepThreeResumesToTheUninterruptedWeightsAndMetrics(Family<?, ?> family) throws Exception {
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
  void earlyStoppingStopsByItsRuleAndKeepsTheBestWeights(Family<?, ?> family) throws Exception {
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
  void microBatchesOnSparkEqualTheTrainerInThisJvm(Family<?, ?> family) throws Exception {
    microBatches(family);
  }

  private static <M extends Network<?>, D extends DataPart> void microBatches(Family<M, D> family) throws Exception {
    TrainingConfig three = config(4).toBuilder().microBatches(3).build();
    M local = family.model(11);
    SparkParts<D> one = family.data(1);
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
  void bf16GradientsTrainCloseToFloat32(Family<?, ?> family) throws Exception {
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
  void resumingWithAnotherTokenizerOfTheSameSizeIsRefused(Family<?, ?> family) throws Exception {
    SparkTrainingOptions options = SparkTrainingOptions.defaults().withCheckpoints(dir.toString(), 2)
        .withResume(true);
    spark(family, 11, config(2), options, null, -1);
    // the same characters, 'h' made the most frequent: the same size, other ids
    Tokenizer other = CharTokenizer.learn(List.of(CHARS + "hhhhh"), TokenizerOptions.defaults());
    assertEquals(family.tokenizer().vocabSize(), other.vocabSize());
    assertFalse(other.equals(family.tokenizer()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> resumeWith(family, other, options));
    assertTrue(e.getMessage().contains("another tokenizer") && e.getMessage().contains("the same number"),
        e.getMessage());
  }

  private static <M extends Network<?>, D extends DataPart> void resumeWith(Family<M, D> family, Tokenizer tokenizer,
      SparkTrainingOptions options) throws Exception {
    SparkParts<D> data = family.data(PARTITIONS);
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

  /** The characters the families' tokenizer is learned from: 8 tokens and the 4 specials, 12 ids. */
  static final String CHARS = "abcdefgh";

  /** The tokenizer every family's run writes into its checkpoints (the translator trains with it). */
  static final Tokenizer TOKENIZER = SparkTranslationTrainerTest.TOKENIZER;

  /** The language model of {@link SparkFixtures} on its synthetic stream. */
  static final class Lm implements Family<Gpt, TokenChunk> {
    @Override
    public Gpt model(long seed) {
      return Gpt.create(SparkFixtures.MODEL, seed);
    }

    @Override
    public float[] weights(Gpt model) {
      return model.parameters().values().toArray();
    }

    @Override
    public SparkParts<TokenChunk> data(int partitions) {
      return SparkTokenStream.fromTokens(jsc, SparkFixtures.tokens(), SparkFixtures.MODEL.blockSize(),
          SparkFixtures.MODEL.vocabSize(), partitions);
    }

    @Override
    public SparkParts<TokenChunk> validation() {
      return SparkFixtures.validation(jsc, Arrays.copyOf(SparkFixtures.tokens(), 200));
    }

    @Override
    public TokenChunk whole() {
      return LmObjective.whole(SparkFixtures.tokens(), SparkFixtures.MODEL.blockSize());
    }

    @Override
    public Objective<Gpt, TokenChunk> objective(SparkParts<TokenChunk> data, TrainingConfig config) {
      return ((SparkTokenStream) data).objective(SparkFixtures.MODEL, config);
    }

    @Override
    public Tokenizer tokenizer() {
      return TOKENIZER;
    }

    @Override
    public String toString() {
      return "GPT";
    }
  }

  /** The classifier of {@link SparkClassifierTrainerTest}. */
  static final class Classifier implements Family<EncoderClassifier, ExampleChunk> {
    @Override
    public EncoderClassifier model(long seed) {
      return EncoderClassifier.create(SparkClassifierTrainerTest.MODEL, seed);
    }

    @Override
    public float[] weights(EncoderClassifier model) {
      return model.parameters().values().toArray();
    }

    @Override
    public SparkParts<ExampleChunk> data(int partitions) {
      return SparkExamples.of(jsc.parallelize(SparkClassifierTrainerTest.examples(120, 1), partitions), 13, 3);
    }

    @Override
    public SparkParts<ExampleChunk> validation() {
      return SparkExamples.of(jsc.parallelize(SparkClassifierTrainerTest.examples(40, 9), 2), 13, 3);
    }

    @Override
    public ExampleChunk whole() {
      List<io.spindle.spark.LabeledSequence> all = SparkClassifierTrainerTest.examples(120, 1);
      int[][] ids = new int[all.size()][];
      int[] labels = new int[all.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = all.get(i).ids();
        labels[i] = all.get(i).label();
      }
      return new ExampleChunk(0, ids, labels);
    }

    @Override
    public Objective<EncoderClassifier, ExampleChunk> objective(SparkParts<ExampleChunk> data,
        TrainingConfig config) {
      return ((SparkExamples) data).objective(SparkClassifierTrainerTest.MODEL, config);
    }

    @Override
    public Tokenizer tokenizer() {
      return TOKENIZER;
    }

    @Override
    public String toString() {
      return "encoder classifier";
    }
  }

  /** The translation model of {@link SparkTranslationTrainerTest}. */
  static final class Translator implements Family<EncoderDecoder, PairChunk> {
    @Override
    public EncoderDecoder model(long seed) {
      return EncoderDecoder.create(SparkTranslationTrainerTest.MODEL, seed);
    }

    @Override
    public float[] weights(EncoderDecoder model) {
      return model.parameters().values().toArray();
    }

    @Override
    public SparkParts<PairChunk> data(int partitions) {
      return SparkTranslationPairs.of(jsc.parallelize(SparkTranslationTrainerTest.pairs(120, 1), partitions), 12,
          12);
    }

    @Override
    public SparkParts<PairChunk> validation() {
      return SparkTranslationPairs.of(jsc.parallelize(SparkTranslationTrainerTest.pairs(40, 9), 2), 12, 12);
    }

    @Override
    public PairChunk whole() {
      List<TranslationPair> all = SparkTranslationTrainerTest.pairs(120, 1);
      int[][] sources = new int[all.size()][];
      int[][] targets = new int[all.size()][];
      for (int i = 0; i < sources.length; i++) {
        sources[i] = all.get(i).source();
        targets[i] = all.get(i).target();
      }
      return new PairChunk(0, sources, targets);
    }

    @Override
    public Objective<EncoderDecoder, PairChunk> objective(SparkParts<PairChunk> data, TrainingConfig config) {
      return ((SparkTranslationPairs) data).objective(SparkTranslationTrainerTest.MODEL,
          SparkTranslationTrainerTest.TOKENIZER, SparkTranslationTrainerTest.TOKENIZER, config);
    }

    @Override
    public Tokenizer tokenizer() {
      return TOKENIZER;
    }

    @Override
    public String toString() {
      return "encoder-decoder";
    }
  }
}
