package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.train.LmTrainer;
import io.spindle.train.LmTrainingConfig;
import java.io.IOException;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A tiny model, a synthetic token stream, and the runs the Spark tests compare. */
final class SparkFixtures {
  static final GptConfig MODEL = new GptConfig(24, 16, 2, 2, 16, 0.0, true);
  static final long SEED = 7;

  private SparkFixtures() {}

  /** A local context with the UI off; {@code kryo} adds Kryo with registration required. */
  static JavaSparkContext context(String master, boolean kryo) {
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
  static LmTrainingConfig training(int steps) {
    return new LmTrainingConfig(steps, 8, 3e-3, 3e-4, 2, 0.1, 0.9, 0.99, 1.0, SEED, 0, 0, 0);
  }

  /** The in-process trainer's weights after {@code steps} steps. */
  static float[] inProcess(int steps) throws IOException {
    Gpt model = Gpt.create(MODEL, SEED);
    new LmTrainer(model, training(steps)).train(tokens(), new int[0], m -> { });
    return model.parameters().values().toArray();
  }

  /** The Spark trainer's weights after {@code steps} steps over {@code partitions} chunks. */
  static float[] spark(JavaSparkContext jsc, int partitions, int steps, SparkTrainingOptions options)
      throws IOException {
    return spark(jsc, partitions, steps, options, trainer -> { });
  }

  static float[] spark(JavaSparkContext jsc, int partitions, int steps, SparkTrainingOptions options,
      java.util.function.Consumer<SparkLmTrainer> setup) throws IOException {
    Gpt model = Gpt.create(MODEL, SEED);
    try (SparkTokenStream data = SparkTokenStream.fromTokens(jsc, tokens(), MODEL.blockSize(), MODEL.vocabSize(),
        partitions)) {
      SparkLmTrainer trainer = new SparkLmTrainer(model, training(steps), options, null);
      setup.accept(trainer);
      trainer.train(data, new int[0], m -> { });
    }
    return model.parameters().values().toArray();
  }

  /**
   * Every element within {@code relative} of the expected one, relative to the larger of its magnitude and 1e-2
   * (weights start at N(0, 0.02) or at 0 for biases; below 1e-2 the difference is compared absolutely at 1e-7).
   */
  static void assertClose(float[] expected, float[] actual, double relative, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < expected.length; i++) {
      double scale = Math.max(Math.abs(expected[i]), 1e-2);
      double error = Math.abs(expected[i] - actual[i]) / scale;
      if (!(error <= worst)) {
        worst = error;
        worstAt = i;
      }
    }
    if (!(worst <= relative)) {
      fail(what + ": element " + worstAt + " is " + actual[worstAt] + ", expected " + expected[worstAt]
          + " (relative error " + worst + " > " + relative + ")");
    }
  }
}
