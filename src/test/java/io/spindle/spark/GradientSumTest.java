package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The deterministic, order-independent sum and its wire formats (Java and Kryo), without Spark. */
class GradientSumTest {
  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-6, 3)));
    }
    return g;
  }

  static GradientSum part(int partition, int n, boolean bf16) {
    return GradientSum.of(partition, random(n, partition), partition * 1.5, 10 + partition, bf16);
  }

  static GradientSum javaRoundTrip(GradientSum s) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (GradientSum) in.readObject();
    }
  }

  static GradientSum kryoRoundTrip(GradientSum s) {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    new SpindleKryoRegistrator().registerClasses(kryo);
    Output out = new Output(1024, -1);
    kryo.writeObject(out, s);
    return kryo.readObject(new Input(out.toBytes()), GradientSum.class);
  }

  @Test
  void sumIntoATensorGivesTheBitsOfGradient() {
    int n = 40000; // more than one window of the copy-or-add
    GradientSum viaArray = GradientSum.empty(false);
    GradientSum viaTensor = GradientSum.empty(false);
    for (int p : new int[] {3, 0, 2}) {
      viaArray.mergeInPlace(part(p, n, false));
      viaTensor.mergeInPlace(part(p, n, false));
    }
    io.spindle.tensor.Tensor target = io.spindle.tensor.Tensor.zeros(n);
    assertTrue(viaTensor.sumInto(target));
    float[] expected = viaArray.gradient();
    float[] actual = target.toArray();
    for (int i = 0; i < n; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
    }
    assertEquals(viaArray.lossSum(), viaTensor.lossSum());
    assertEquals(viaArray.tokens(), viaTensor.tokens());
    assertThrows(IllegalStateException.class, viaTensor::gradient);
    assertTrue(!GradientSum.empty(false).sumInto(target), "an empty sum has no gradient to put");
  }

  @Test
  void theSumDoesNotDependOnTheMergeOrder() throws Exception {
    int n = 20000; // more than one wire block
    GradientSum inOrder = GradientSum.empty(false);
    for (int p = 0; p < 5; p++) {
      inOrder.mergeInPlace(part(p, n, false));
    }
    GradientSum shuffled = GradientSum.empty(false);
    GradientSum left = GradientSum.empty(false).mergeInPlace(part(3, n, false)).mergeInPlace(part(0, n, false));
    GradientSum right = GradientSum.empty(false).mergeInPlace(part(4, n, false)).mergeInPlace(part(1, n, false))
        .mergeInPlace(part(2, n, false));
    shuffled.mergeInPlace(right).mergeInPlace(left);
    float[] expected = inOrder.gradient();
    assertArrayEquals(expected, shuffled.gradient());
    assertEquals(0 + 1.5 + 3 + 4.5 + 6, shuffled.lossSum());
    assertEquals(10 + 11 + 12 + 13 + 14, shuffled.tokens());

    float[] byHand = random(n, 0);
    for (int p = 1; p < 5; p++) {
      float[] g = random(n, p);
      for (int i = 0; i < n; i++) {
        byHand[i] += g[i];
      }
    }
    assertArrayEquals(byHand, expected, "parts added in partition order");
  }

  @Test
  void javaAndKryoRoundTripsAreExact() throws Exception {
    GradientSum s = GradientSum.empty(false).mergeInPlace(part(2, 9000, false)).mergeInPlace(part(7, 9000, false));
    float[] sum = s.gradient().clone();
    for (GradientSum copy : new GradientSum[] {javaRoundTrip(s), kryoRoundTrip(s)}) {
      assertArrayEquals(sum, copy.gradient());
      assertEquals(s.lossSum(), copy.lossSum());
      assertEquals(s.tokens(), copy.tokens());
    }
    GradientSum empty = kryoRoundTrip(GradientSum.empty(true));
    assertNull(empty.gradient());
    assertEquals(0, empty.tokens());
    assertNull(javaRoundTrip(GradientSum.empty(false)).gradient());
  }

  /**
   * The bulk float codecs against the element-by-element ones they replace: Kryo's stock {@code float[]} serializer
   * reads back the same floats as the bulk one (lengths 0, 1, and past one 64 KiB chunk; signed zeros, subnormals,
   * infinities kept to the bit, and by the bulk one a NaN's payload too), and a gradient sum's bytes are the same either way.
   */
  @Test
  void bulkCodecsKeepEveryBitAndTheGradientBytes() throws Exception {
    Kryo bulk = new Kryo();
    bulk.setRegistrationRequired(true);
    SpindleKryoRegistrator.register(bulk, true);
    Kryo baseline = new Kryo();
    baseline.setRegistrationRequired(true);
    SpindleKryoRegistrator.register(baseline, false);
    for (int n : new int[] {0, 1, 16_387}) {
      float[] a = random(n, n);
      if (n > 5) {
        a[0] = -0f;
        a[1] = Float.MIN_VALUE;
        a[2] = Float.NEGATIVE_INFINITY;
        a[3] = Float.intBitsToFloat(0x7fc01234);
        a[n - 1] = Float.MAX_VALUE;
      }
      Output out = new Output(1024, -1);
      bulk.writeObject(out, a);
      float[] back = bulk.readObject(new Input(out.toBytes()), float[].class);
      Output stock = new Output(1024, -1);
      baseline.writeObject(stock, a);
      float[] stockBack = baseline.readObject(new Input(stock.toBytes()), float[].class);
      assertEquals(n, back.length);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(back[i]), "element " + i);
        // Kryo's stock serializer writes floatToIntBits, which folds every NaN into the canonical one
        assertEquals(Float.floatToIntBits(stockBack[i]), Float.floatToIntBits(back[i]), "element " + i);
      }
    }
    GradientSum s = part(3, 20_000, false);
    Output fast = new Output(1024, -1);
    bulk.writeObject(fast, s);
    Output slow = new Output(1024, -1);
    baseline.writeObject(slow, s);
    assertArrayEquals(slow.toBytes(), fast.toBytes());
    assertArrayEquals(s.gradient(), baseline.readObject(new Input(fast.toBytes()), GradientSum.class).gradient());
  }

  @Test
  void bf16OnTheWireKeepsThreeDigits() throws Exception {
    GradientSum s = part(1, 5000, true);
    float[] exact = s.gradient().clone();
    for (GradientSum copy : new GradientSum[] {javaRoundTrip(s), kryoRoundTrip(s)}) {
      float[] g = copy.gradient();
      for (int i = 0; i < exact.length; i++) {
        assertEquals(exact[i], g[i], Math.abs(exact[i]) / 256, "element " + i);
        assertEquals(Bf16.toFloat(Bf16.fromFloat(exact[i])), g[i]);
      }
    }
  }

  @Test
  void bf16RoundsToNearestEven() {
    assertEquals(1.0f, Bf16.toFloat(Bf16.fromFloat(1.0f)));
    float ulp = 1.0f / 128; // bf16 spacing at 1
    assertEquals(1.0f, Bf16.toFloat(Bf16.fromFloat(1.0f + ulp / 2)), "tie goes to the even 1.0");
    assertEquals(1.0f + 2 * ulp, Bf16.toFloat(Bf16.fromFloat(1.0f + 1.5f * ulp)), "tie goes to the even 1+2ulp");
    assertEquals(1.0f + ulp, Bf16.toFloat(Bf16.fromFloat(1.0f + 0.6f * ulp)));
    assertEquals(-3.0f, Bf16.toFloat(Bf16.fromFloat(-3.0f)));
    assertTrue(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN))));
    assertEquals(Float.POSITIVE_INFINITY, Bf16.toFloat(Bf16.fromFloat(Float.MAX_VALUE)));
    assertEquals(Float.NEGATIVE_INFINITY, Bf16.toFloat(Bf16.fromFloat(Float.NEGATIVE_INFINITY)));
  }

  /** The objective's named sums travel and add up like the loss: in partition order, whatever the merge order. */
  @Test
  void namedSumsAddUpInPartitionOrderAndSurviveTheWire() throws Exception {
    GradientSum[] parts = new GradientSum[3];
    for (int p = 0; p < 3; p++) {
      parts[p] = GradientSum.of(p, random(10, p), p, 4, java.util.Map.of("reward", 0.1 * (p + 1), "kl",
          new double[] {1e16, 1, -1e16}[p]), false);
    }
    GradientSum s = GradientSum.empty(false).mergeInPlace(parts[2]).mergeInPlace(parts[0]).mergeInPlace(parts[1]);
    // in partition order (1e16 + 1) - 1e16 = 0, as 1e16 + 1 rounds to 1e16; in merge order it would be 1
    assertEquals(java.util.Map.of("reward", 0.1 + 0.2 + 0.30000000000000004, "kl", 0.0), s.sums());
    for (GradientSum copy : new GradientSum[] {javaRoundTrip(s), kryoRoundTrip(s)}) {
      assertEquals(s.sums(), copy.sums());
      assertEquals(s.lossSum(), copy.lossSum());
    }
    assertEquals(java.util.Map.of(), kryoRoundTrip(part(1, 10, false)).sums());
  }

  /**
   * The canonical sum over 7 draws: any split of the draws, merged in any order, through either wire format, gives
   * the bits of the tree ((0+1)+(2+3))+((4+5)+6) added by hand, the gradient and the named sums alike.
   */
  @Test
  void theCanonicalSumIsTheSameForEverySplitAndOrder() throws Exception {
    int n = 33;
    float[][] leaves = new float[7][];
    for (int j = 0; j < 7; j++) {
      leaves[j] = random(n, 100 + j);
    }
    float[] byHand = new float[n];
    for (int i = 0; i < n; i++) {
      byHand[i] = ((leaves[0][i] + leaves[1][i]) + (leaves[2][i] + leaves[3][i]))
          + ((leaves[4][i] + leaves[5][i]) + leaves[6][i]);
    }
    double[] rewards = {1e16, 1, -1e16, 0.1, 0.2, 0.3, 3};
    // in tree order ((1e16 + 1) + (-1e16 + 0.1)) + ((0.2 + 0.3) + 3); in draw order it would differ
    double rewardByHand = ((rewards[0] + rewards[1]) + (rewards[2] + rewards[3])) + ((rewards[4] + rewards[5])
        + rewards[6]);
    int[][][] splits = {{{0, 1, 2, 3, 4, 5, 6}}, {{6, 5}, {0, 3, 1}, {4, 2}}, {{2}, {5, 0, 6}, {1, 3, 4}},
        {{3}, {1}, {6}, {0}, {4}, {2}, {5}}};
    for (int[][] split : splits) {
      GradientSum total = GradientSum.canonical(7);
      for (int[] part : split) {
        io.spindle.train.CanonicalSum mine = new io.spindle.train.CanonicalSum(7);
        for (int j : part) {
          mine.addLeaf(j, leaves[j].clone(), j, 1, java.util.Map.of("reward", rewards[j]));
        }
        total.mergeInPlace(kryoRoundTrip(javaRoundTrip(GradientSum.of(mine))));
      }
      assertArrayEquals(byHand, total.gradient(), java.util.Arrays.deepToString(split));
      assertEquals(((0.0 + 1) + (2 + 3)) + ((4 + 5) + 6), total.lossSum());
      assertEquals(7, total.tokens());
      assertEquals(java.util.Map.of("reward", rewardByHand), total.sums());
    }
    GradientSum partial = GradientSum.canonical(7);
    partial.mergeInPlace(GradientSum.of(new io.spindle.train.CanonicalSum(7)));
    assertThrows(IllegalStateException.class, partial::gradient, "a missing draw is an error, not a smaller sum");
  }

  @Test
  void aPartitionMergedTwiceIsAnError() {
    GradientSum s = part(1, 10, false);
    assertThrows(IllegalStateException.class, () -> s.mergeInPlace(part(1, 10, false)));
  }
}
