package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.spindle.autograd.Parameters;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.train.LmObjective;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import java.io.IOException;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** A tiny model, a synthetic token stream, and the runs the Spark tests compare. */
final class SparkFixtures {
  static final GptConfig MODEL = new GptConfig(24, 16, 2, 2, 16, 0.0, true);
  static final long SEED = 7;

  private SparkFixtures() {}

  /** A local context with the UI off; {@code kryo} adds Kryo with registration required. */
  static JavaSparkContext context(String master, boolean kryo) {
    return context(master, kryo, java.util.Map.of());
  }

  /** {@link #context(String, boolean)} with further Spark settings. */
  static JavaSparkContext context(String master, boolean kryo, java.util.Map<String, String> settings) {
    SparkConf conf = new SparkConf().setMaster(master).setAppName("spindle-test")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.sql.shuffle.partitions", "4");
    if (kryo) {
      conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
          .set("spark.kryo.registrator", SpindleKryoRegistrator.class.getName())
          .set("spark.kryo.registrationRequired", "true");
    }
    settings.forEach(conf::set);
    return new JavaSparkContext(conf);
  }

  /** 3000 tokens of a noisy repeating pattern over the vocabulary, so there is something to learn. */
  static int[] tokens() {
    SplittableRandom r = new SplittableRandom(3);
    int[] t = new int[3000];
    for (int i = 0; i < t.length; i++) {
      t[i] = r.nextInt(10) == 0 ? r.nextInt(MODEL.vocabSize()) : (i * 7 + i / 5) % MODEL.vocabSize();
    }
    return t;
  }

  /** {@code steps} steps of B = 8, warm-up 2, clipping on (so the clip path runs). */
  static TrainingConfig training(int steps) {
    return TrainingConfig.builder().steps(steps).batchSize(8).learningRate(3e-3).minLearningRate(3e-4)
        .warmupSteps(2).weightDecay(0.1).betas(0.9, 0.99).gradClip(1.0).seed(SEED).build();
  }

  /** The in-process trainer's weights after {@code steps} steps. */
  static float[] inProcess(int steps) throws IOException {
    Gpt model = Gpt.create(MODEL, SEED);
    int[] tokens = tokens();
    TrainingConfig config = training(steps);
    new LocalTrainer<>(objective(config, tokens.length), model, config, 1).train(
        LmObjective.whole(tokens, MODEL.blockSize()), null, null, m -> { });
    return model.parameters().values().toArray();
  }

  /** The language-model objective of {@code config} over a stream of {@code length} tokens. */
  static LmObjective objective(TrainingConfig config, long length) {
    return new LmObjective(MODEL, config.seed(), config.batchSize(), length);
  }

  /** A Spark trainer of {@code model} for {@code data} (no tokenizer). */
  static SparkTrainer<Gpt, TokenChunk> trainer(Gpt model, TrainingConfig config, SparkTrainingOptions options,
      SparkTokenStream data) {
    return new SparkTrainer<>(data.objective(model.config(), config), model, config, options, null, null);
  }

  /** {@code tokens} as validation data: one part on Spark, scored in consecutive windows. */
  static SparkParts<TokenChunk> validation(JavaSparkContext jsc, int[] tokens) {
    JavaRDD<TokenChunk> parts = jsc.parallelize(java.util.List.of(LmObjective.whole(tokens, MODEL.blockSize())), 1);
    return new SparkParts<>() {
      @Override
      public JavaRDD<TokenChunk> parts() {
        return parts;
      }

      @Override
      public long size() {
        return tokens.length;
      }
    };
  }

  /** The Spark trainer's weights after {@code steps} steps over {@code partitions} chunks. */
  static float[] spark(JavaSparkContext jsc, int partitions, int steps, SparkTrainingOptions options)
      throws IOException {
    return spark(jsc, partitions, steps, options, trainer -> { });
  }

  static float[] spark(JavaSparkContext jsc, int partitions, int steps, SparkTrainingOptions options,
      java.util.function.Consumer<SparkTrainer<Gpt, TokenChunk>> setup) throws IOException {
    return spark(jsc, partitions, training(steps), options, setup);
  }

  /** The Spark trainer's weights after training with {@code config} over {@code partitions} chunks. */
  static float[] spark(JavaSparkContext jsc, int partitions, TrainingConfig config, SparkTrainingOptions options,
      java.util.function.Consumer<SparkTrainer<Gpt, TokenChunk>> setup) throws IOException {
    Gpt model = Gpt.create(MODEL, SEED);
    try (SparkTokenStream data = SparkTokenStream.fromTokens(jsc, tokens(), MODEL.blockSize(), MODEL.vocabSize(),
        partitions)) {
      SparkTrainer<Gpt, TokenChunk> trainer = trainer(model, config, options, data);
      setup.accept(trainer);
      trainer.train(data, null, null, m -> { });
    }
    return model.parameters().values().toArray();
  }

  /**
   * Weights within {@code relative} of the expected ones, measured two ways: the whole vector normwise,
   * {@code ||actual - expected||_2 <= relative * ||expected||_2}, and every parameter tensor in max-norm,
   * {@code max |actual - expected| <= relative * max |expected|} over that tensor.
   *
   * <p>One exception to the second: the attention key bias (the middle third of {@code c_attn.bias}) has a
   * mathematically zero gradient, since adding {@code q . b_k} to every score of a query leaves its softmax
   * unchanged. Its computed gradient is rounding noise, which AdamW normalises into steps of about lr, so it differs
   * between any two summation orders (as it would between two PyTorch runs on different hardware).
   */
  static void assertClose(float[] expected, float[] actual, double relative, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double diff2 = 0;
    double norm2 = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = (double) actual[i] - expected[i];
      diff2 += d * d;
      norm2 += (double) expected[i] * expected[i];
    }
    if (!(Math.sqrt(diff2) <= relative * Math.sqrt(norm2))) {
      fail(what + ": normwise relative error " + Math.sqrt(diff2 / norm2) + " > " + relative);
    }
    Parameters layout = Gpt.declare(MODEL).build();
    int c = MODEL.embedDim();
    for (String name : layout.names()) {
      int offset = layout.offsetOf(name);
      int size = layout.get(name).value().size();
      boolean keyBias = name.endsWith("attn.c_attn.bias");
      double maxDiff = 0;
      double maxValue = 0;
      int worst = -1;
      for (int i = 0; i < size; i++) {
        if (keyBias && i >= c && i < 2 * c) {
          continue;
        }
        double d = Math.abs((double) actual[offset + i] - expected[offset + i]);
        if (!(d <= maxDiff)) {
          maxDiff = d;
          worst = i;
        }
        maxValue = Math.max(maxValue, Math.abs(expected[offset + i]));
      }
      if (!(maxDiff <= relative * maxValue)) {
        fail(what + ": " + name + "[" + worst + "] is " + actual[offset + worst] + ", expected "
            + expected[offset + worst] + "; max-norm relative error " + maxDiff / maxValue + " > " + relative);
      }
    }
  }
}
