package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.tensor.Blas;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalReplicas} over a test objective whose single part is a batch of random rows (so that targets need not
 * follow the inputs): shards add up to the whole batch, deterministically, evaluation equals the single-thread sum
 * bit for bit, replicas see weight updates, BLAS threads are restored, failures reach the caller.
 */
class LocalReplicasTest {
  private static final GptConfig CONFIG = new GptConfig(23, 16, 2, 2, 16, 0.0, true);

  private static final RowsObjective OBJECTIVE = new RowsObjective(CONFIG);

  private static LocalReplicas<Gpt, RowsObjective.Rows> replicas(Gpt model, int threads) {
    return new LocalReplicas<>(OBJECTIVE, model, threads);
  }

  private static BatchGradient.Result accumulate(LocalReplicas<Gpt, RowsObjective.Rows> replicas, Batch batch) {
    return RowsObjective.accumulate(replicas, batch);
  }

  private static Batch randomBatch(long seed, int rows) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] inputs = new int[rows * CONFIG.blockSize()];
    int[] targets = new int[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = rnd.nextInt(CONFIG.vocabSize());
      targets[i] = rnd.nextInt(CONFIG.vocabSize());
    }
    targets[targets.length - 1] = Batch.IGNORE; // one ignored position: token counts must add up across shards
    return new Batch(inputs, targets, rows, CONFIG.blockSize());
  }

  private static float[] gradient(int threads, Batch batch, BatchGradient.Result[] result) {
    Gpt model = Gpt.create(CONFIG, 5);
    try (LocalReplicas<Gpt, RowsObjective.Rows> replicas = replicas(model, threads)) {
      result[0] = accumulate(replicas, batch);
    }
    return model.parameters().grads().toArray();
  }

  /**
   * Shards add up to the whole batch: the loss sum and token count match the single-thread pass, and the gradient
   * matches to float rounding. The tolerance: the summed (not mean) loss over 7 x 16 tokens has gradient entries up
   * to about 10; per-shard weight-gradient sums are added in another order, each sum's rounding error is a few ulps
   * of its magnitude, so 1e-5 relative to the largest entry is generous by an order of magnitude and still far below
   * any real error (a missing or doubled shard changes entries by O(1)).
   */
  @Test
  void shardedGradientEqualsTheWholeBatchGradient() {
    Batch batch = randomBatch(1, 7); // 7 rows over 3 threads: shards of 2, 2 and 3
    BatchGradient.Result[] whole = new BatchGradient.Result[1];
    BatchGradient.Result[] sharded = new BatchGradient.Result[1];
    float[] expected = gradient(1, batch, whole);
    float[] actual = gradient(3, batch, sharded);
    assertEquals(whole[0].tokens(), sharded[0].tokens());
    assertEquals(7 * 16 - 1, sharded[0].tokens());
    assertEquals(whole[0].lossSum(), sharded[0].lossSum(), 1e-9 * Math.abs(whole[0].lossSum()) + 1e-4);
    double scale = 0;
    for (float v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    assertTrue(scale > 0.1, "gradient is not trivially small: " + scale);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * scale, "gradient entry " + i);
    }
  }

  @Test
  void shardedGradientIsDeterministic() {
    Batch batch = randomBatch(2, 8);
    BatchGradient.Result[] r = new BatchGradient.Result[1];
    assertArrayEquals(gradient(2, batch, r), gradient(2, batch, r));
  }

  @Test
  void evaluationEqualsTheSingleThreadSumBitForBit() {
    Gpt model = Gpt.create(CONFIG, 6);
    List<Batch> batches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batches.add(randomBatch(10 + i, 3));
    }
    BatchGradient.Result expected = BatchGradient.evaluate(model, batches);
    try (LocalReplicas<Gpt, RowsObjective.Rows> replicas = replicas(model, 2)) {
      Evaluation actual = replicas.evaluate(new RowsObjective.Rows(batches.get(0), batches), 0);
      assertEquals(new Evaluation(expected.lossSum(), expected.tokens(), -1), actual);
    }
  }

  @Test
  void replicasSeeWeightUpdatesBetweenCalls() {
    Batch batch = randomBatch(3, 4);
    Gpt model = Gpt.create(CONFIG, 7);
    try (LocalReplicas<Gpt, RowsObjective.Rows> replicas = replicas(model, 2)) {
      accumulate(replicas, batch);
      model.parameters().values().scaleInPlace(0.5f); // as an optimizer step would change them
      model.parameters().zeroGrad();
      BatchGradient.Result after = accumulate(replicas, batch);
      float[] grad = model.parameters().grads().toArray();

      Gpt reference = Gpt.of(CONFIG, Gpt.declare(CONFIG).build());
      reference.parameters().values().copyFrom(model.parameters().values());
      BatchGradient.Result expected;
      try (LocalReplicas<Gpt, RowsObjective.Rows> single = replicas(reference, 1)) {
        expected = accumulate(single, batch);
      }
      assertEquals(expected.lossSum(), after.lossSum(), 1e-9 * Math.abs(expected.lossSum()) + 1e-4);
      float[] expectedGrad = reference.parameters().grads().toArray();
      for (int i = 0; i < grad.length; i++) {
        assertEquals(expectedGrad[i], grad[i], 1e-4, "gradient entry " + i); // see the sharded-gradient test
      }
    }
  }

  @Test
  void blasThreadsAreSingleWhileInUseAndRestoredAfter() {
    Blas blas = Blas.get();
    int before = blas.threads();
    try (LocalReplicas<Gpt, RowsObjective.Rows> replicas = replicas(Gpt.create(CONFIG, 1), 2)) {
      assertEquals(1, blas.threads());
    }
    assertEquals(before, blas.threads());
  }

  @Test
  void aShardFailureReachesTheCaller() {
    Batch bad = new Batch(new int[] {0, 1, 2, 99}, new int[] {1, 2, 3, 4}, 2, 2); // id 99 is outside the vocab
    try (LocalReplicas<Gpt, RowsObjective.Rows> replicas = replicas(Gpt.create(CONFIG, 1), 2)) {
      assertThrows(IllegalArgumentException.class, () -> accumulate(replicas, bad));
    }
  }

  @Test
  void rejectsNonPositiveThreads() {
    assertThrows(IllegalArgumentException.class, () -> replicas(Gpt.create(CONFIG, 1), 0));
  }
}
