package io.spindle.optim;

import static io.spindle.optim.AdamWTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Parameters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OptimizerStateTest {
  private static final WarmupCosineSchedule SCHEDULE = new WarmupCosineSchedule(1e-2, 1e-3, 3, 8);

  /** Deterministic gradients for step t, so two runs see the same sequence. */
  private static void gradients(Parameters params, long t) {
    Random rnd = new Random(1000 + t);
    for (int i = 0; i < params.count(); i++) {
      params.grads().set(i, (float) rnd.nextGaussian());
    }
  }

  private static void train(Parameters params, Optimizer optimizer, int steps) {
    for (int s = 0; s < steps; s++) {
      long t = optimizer.stepCount();
      gradients(params, t);
      GradientClipping.clipGlobalNorm(params.grads(), 1.0);
      optimizer.step(params, SCHEDULE.rate(t));
    }
  }

  private static byte[] bytes(OptimizerState state) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    state.write(out);
    return out.toByteArray();
  }

  /** 10 uninterrupted steps vs 5 steps, save, restore into a fresh optimizer, 5 more: identical bits. */
  private static void resumesBitIdentically(Function<Parameters, Optimizer> make) throws IOException {
    Parameters straight = AdamWTest.tinyModel(new Random(4));
    Optimizer a = make.apply(straight);
    train(straight, a, 10);

    Parameters resumed = AdamWTest.tinyModel(new Random(4));
    Optimizer b = make.apply(resumed);
    train(resumed, b, 5);
    byte[] saved = bytes(b.state());
    float[] savedValues = resumed.values().toArray();

    Parameters fresh = AdamWTest.tinyModel(new Random(99));
    fresh.values().copyFrom(savedValues);
    Optimizer c = make.apply(fresh);
    c.restore(OptimizerState.read(new ByteArrayInputStream(saved)));
    assertEquals(5, c.stepCount());
    train(fresh, c, 5);

    float[] expected = straight.values().toArray();
    float[] actual = fresh.values().toArray();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "parameter " + i);
    }
    assertEquals(a.state(), c.state());
    assertArrayEquals(bytes(a.state()), bytes(c.state()));
  }

  @Test
  void adamWResumesBitIdentically() throws IOException {
    AdamW.Config config = AdamW.Config.defaults().withBetas(0.9, 0.95).withWeightDecay(0.1);
    resumesBitIdentically(p -> new AdamW(config, p));
  }

  @Test
  void sgdResumesBitIdentically() throws IOException {
    resumesBitIdentically(p -> new Sgd(new Sgd.Config(0.9, true), p.count()));
  }

  @Test
  void layoutIsAsDocumented() throws IOException {
    OptimizerState state = OptimizerState.of("adamw", 42, 2, new float[] {1.5f, -2f}, new float[] {0.25f, 3f});
    ByteBuffer b = ByteBuffer.wrap(bytes(state)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(4 + 4 + 4 + 5 + 8 + 4 + 4 + 4 * 4, b.remaining());
    assertEquals('S', b.get());
    assertEquals('P', b.get());
    assertEquals('O', b.get());
    assertEquals('S', b.get());
    assertEquals(OptimizerState.VERSION, b.getInt());
    assertEquals(5, b.getInt());
    byte[] kind = new byte[5];
    b.get(kind);
    assertEquals("adamw", new String(kind, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(42L, b.getLong());
    assertEquals(2, b.getInt());
    assertEquals(2, b.getInt());
    assertEquals(1.5f, b.getFloat(), 0f);
    assertEquals(-2f, b.getFloat(), 0f);
    assertEquals(0.25f, b.getFloat(), 0f);
    assertEquals(3f, b.getFloat(), 0f);
  }

  @Test
  void roundTripKeepsEveryBitAndConsumesOnlyItsBytes() throws IOException {
    int n = 40_000; // more than one write chunk
    float[] m = new float[n];
    Random rnd = new Random(8);
    for (int i = 0; i < n; i++) {
      m[i] = Float.intBitsToFloat(rnd.nextInt());
    }
    m[0] = -0f;
    OptimizerState state = OptimizerState.of("sgd", 7, n, m);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    state.write(out);
    out.write(0x7F); // whatever follows in the stream is left there
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    OptimizerState back = OptimizerState.read(in);
    assertEquals(0x7F, in.read());
    assertEquals(state, back);
    float[] restored = back.buffer(0);
    for (int i = 0; i < n; i++) {
      assertEquals(Float.floatToRawIntBits(m[i]), Float.floatToRawIntBits(restored[i]), "element " + i);
    }
    assertEquals("sgd", back.kind());
    assertEquals(7, back.step());
  }

  @Test
  void snapshotsAreCopies() {
    float[] m = {1f, 2f};
    OptimizerState state = OptimizerState.of("sgd", 1, 2, m);
    m[0] = 9f;
    state.buffer(0)[1] = 9f;
    assertArrayEquals(new float[] {1f, 2f}, state.buffer(0), 0f);
    Parameters params = AdamWTest.tinyModel(new Random(2));
    AdamW adam = new AdamW(AdamW.Config.defaults(), params);
    OptimizerState before = adam.state();
    AdamWTest.randomGradients(params, new Random(3));
    adam.step(params, 1e-2);
    assertEquals(0, before.step());
    assertTrue(Arrays.equals(new float[params.count()], before.buffer(0)), "later steps do not reach a snapshot");
  }

  @Test
  void restoringMismatchedStateNamesBoth() {
    Parameters params = AdamWTest.tinyModel(new Random(2));
    AdamW adam = new AdamW(AdamW.Config.defaults(), params);
    Sgd sgd = new Sgd(new Sgd.Config(0.9, false), params.count());
    assertMessage(() -> adam.restore(sgd.state()), "AdamW.restore", "'sgd'", "'adamw'", "10 floats");
    assertMessage(() -> sgd.restore(adam.state()), "Sgd.restore", "'adamw'", "'sgd'");
    Parameters bigger = Parameters.builder().add("w", 3, 4).build();
    assertMessage(() -> adam.restore(new AdamW(AdamW.Config.defaults(), bigger).state()), "AdamW.restore",
        "12 floats", "10 floats");
    assertMessage(() -> new Sgd(Sgd.Config.plain(), params.count()).restore(sgd.state()), "1 buffer(s)",
        "0 buffer(s)");
    assertMessage(() -> OptimizerState.of("adamw", 0, 3, new float[2]), "buffer 0", "2 floats", "expected 3");
    assertMessage(() -> OptimizerState.of("", 0, 0), "kind");
    assertMessage(() -> OptimizerState.of("sgd", -1, 0), "step -1");
  }

  @Test
  void corruptStreamsRejected() throws IOException {
    byte[] good = bytes(OptimizerState.of("adamw", 3, 4, new float[4], new float[4]));
    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    IOException e = assertThrows(IOException.class, () -> OptimizerState.read(new ByteArrayInputStream(badMagic)));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
    byte[] badVersion = good.clone();
    badVersion[4] = 9;
    e = assertThrows(IOException.class, () -> OptimizerState.read(new ByteArrayInputStream(badVersion)));
    assertTrue(e.getMessage().contains("version 9"), e.getMessage());
    byte[] truncated = Arrays.copyOf(good, good.length - 1);
    assertThrows(EOFException.class, () -> OptimizerState.read(new ByteArrayInputStream(truncated)));
  }
}
