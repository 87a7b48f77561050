package io.spindle.spark;

import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.Gpt;
import io.spindle.nn.Network;
import io.spindle.train.DataPart;
import io.spindle.train.ExampleChunk;
import io.spindle.train.LmObjective;
import io.spindle.train.Objective;
import io.spindle.train.PairChunk;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;

/** The three model families with tiny models and data, as the tests that run every family drive them. */
final class Families {
  private Families() {}

  static Stream<Family<?, ?>> all() {
    return Stream.of(new Lm(), new Classifier(), new Translator());
  }

  /** A model family as this test drives it: its model, its data on Spark and in one part, and its objective. */
  interface Family<M extends Network<?>, D extends DataPart> {
    M model(long seed);

    float[] weights(M model);

    /** The training data in {@code partitions} parts. */
    SparkParts<D> data(JavaSparkContext jsc, int partitions);

    /** Held-out data, a few parts. */
    SparkParts<D> validation(JavaSparkContext jsc);

    /** All the training data as one part, for the trainer in this JVM. */
    D whole();

    Objective<M, D> objective(SparkParts<D> data, TrainingConfig config);

    Tokenizer tokenizer();
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
    public SparkParts<TokenChunk> data(JavaSparkContext jsc, int partitions) {
      return SparkTokenStream.fromTokens(jsc, SparkFixtures.tokens(), SparkFixtures.MODEL.blockSize(),
          SparkFixtures.MODEL.vocabSize(), partitions);
    }

    @Override
    public SparkParts<TokenChunk> validation(JavaSparkContext jsc) {
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
    public SparkParts<ExampleChunk> data(JavaSparkContext jsc, int partitions) {
      return SparkExamples.of(jsc.parallelize(SparkClassifierTrainerTest.examples(120, 1), partitions), 13, 3);
    }

    @Override
    public SparkParts<ExampleChunk> validation(JavaSparkContext jsc) {
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
    public SparkParts<PairChunk> data(JavaSparkContext jsc, int partitions) {
      return SparkTranslationPairs.of(jsc.parallelize(SparkTranslationTrainerTest.pairs(120, 1), partitions), 12,
          12);
    }

    @Override
    public SparkParts<PairChunk> validation(JavaSparkContext jsc) {
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
