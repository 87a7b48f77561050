package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Bit patterns produced by PyTorch 2.11 itself on CPU, by {@code src/test/resources/io/spindle/optim/
 * pytorch_reference.py} (which feeds the same closed-form inputs as {@link #initial} and {@link #gradient}).
 *
 * <p>These tensors are small enough (at most 6 elements per tensor) that PyTorch runs its scalar CPU loop, whose
 * float32 operation order Spindle follows, so the results must agree to the bit; PyTorch's single-tensor, foreach
 * and fused CPU AdamW all gave these same bits. On larger tensors PyTorch's vectorized lanes fuse some
 * multiply-adds, and the same script measured differences of at most 1.2e-7 (a couple of ulps at magnitude 1) after
 * 5 steps on 1000 elements; see {@link AdamW}.
 */
class PyTorchReferenceTest {
  private static final double[] RATES = {1e-2, 3e-2, 2e-2, 5e-3, 1e-1};

  /** {@code torch.optim.AdamW(betas=(0.9, 0.95), eps=1e-8)}, weight decay 0.1 on w only; p after steps 1..5. */
  private static final int[][] ADAMW = {
      {0xbf8e9375, 0xbf8924dd, 0xbf7d2f1b, 0xbf7251ec, 0xbf625604, 0xbf4d3b65, 0xbf428f5c, 0xbf2d70a4, 0xbf228f5c,
          0xbf0d70a4},
      {0xbf8a522e, 0xbf8c0ae2, 0xbf74c048, 0xbf77a416, 0xbf5fee8b, 0xbf505fc5, 0xbf3f5426, 0xbf283a5d, 0xbf2976bb,
          0xbf05ddfc},
      {0xbf881e06, 0xbf8df3a9, 0xbf701551, 0xbf7b5bc6, 0xbf5e4094, 0xbf535773, 0xbf3d32eb, 0xbf274e7b, 0xbf2c57b9,
          0xbf024431},
      {0xbf87dd4b, 0xbf8e1cfd, 0xbf6f3b2e, 0xbf7b53e3, 0xbf5de2b7, 0xbf5433d1, 0xbf3cae3c, 0xbf27da69, 0xbf2cc408,
          0xbf021877},
      {0xbf8abb21, 0xbf8d63d2, 0xbf6cbb4f, 0xbf7117cf, 0xbf5d0ed9, 0xbf500f9e, 0xbf35e3b3, 0xbf1ee66b, 0xbf32fbe1,
          0xbf0cd862}};

  /** {@code torch.optim.SGD(momentum=0.9)}: p after step 5. */
  private static final int[] SGD_MOMENTUM = {0xbf92e25c, 0xbf8e1c14, 0xbf747c66, 0xbf6aefd4, 0xbf5f9cea, 0xbf4fb1be,
      0xbf2e5498, 0xbf1e696b, 0xbf370654, 0xbf1b877f};

  /** {@code torch.optim.SGD(momentum=0.9, nesterov=True)}: p after step 5. */
  private static final int[] SGD_NESTEROV = {0xbf9a3c5c, 0xbf8c2dc0, 0xbf7e13cb, 0xbf61f691, 0xbf639259, 0xbf40909c,
      0xbf2d2d69, 0xbf0a2bae, 0xbf38e1db, 0xbf2befb5};

  private static float initial(int i) {
    return ((i % 37) - 18) / 16f;
  }

  private static float gradient(int t, int i) {
    return (float) ((((i * 13 + t * 5) % 29) - 14) / 32.0 * Math.pow(2.0, (t % 3) - 1));
  }

  /** The script's tiny model: w (2, 3) decays, b (3,) and g () do not. */
  private static Parameters tinyModel() {
    Parameters params = Parameters.builder().add("w", 2, 3).add("b", 3).add("g").build();
    for (int i = 0; i < params.count(); i++) {
      params.values().set(i, initial(i));
    }
    return params;
  }

  private static void assertBits(int[] expected, Tensor actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.intBitsToFloat(expected[i]), actual.get(i), 0f, what + ", element " + i);
      assertEquals(expected[i], Float.floatToRawIntBits(actual.get(i)), what + ", bits of element " + i);
    }
  }

  private static void run(Parameters params, Optimizer optimizer, int steps) {
    for (int t = 1; t <= steps; t++) {
      for (int i = 0; i < params.count(); i++) {
        params.grads().set(i, gradient(t, i));
      }
      optimizer.step(params, RATES[t - 1]);
    }
  }

  @Test
  void adamWMatchesPyTorchBitForBit() {
    Parameters params = tinyModel();
    AdamW adam = new AdamW(new AdamW.Config(0.9, 0.95, 1e-8, 0.1), params);
    for (int t = 1; t <= RATES.length; t++) {
      for (int i = 0; i < params.count(); i++) {
        params.grads().set(i, gradient(t, i));
      }
      adam.step(params, RATES[t - 1]);
      assertBits(ADAMW[t - 1], params.values(), "AdamW step " + t);
    }
  }

  @Test
  void sgdMomentumMatchesPyTorchBitForBit() {
    Parameters params = tinyModel();
    run(params, new Sgd(new Sgd.Config(0.9, false), params.count()), 5);
    assertBits(SGD_MOMENTUM, params.values(), "SGD momentum");
  }

  @Test
  void sgdNesterovMatchesPyTorchBitForBit() {
    Parameters params = tinyModel();
    run(params, new Sgd(new Sgd.Config(0.9, true), params.count()), 5);
    assertBits(SGD_NESTEROV, params.values(), "SGD Nesterov");
  }

  @Test
  void clipGradNormMatchesPyTorch() {
    // clip_grad_norm_(max_norm=1.0) on 1000 gradients 3 * gradient(1, i): PyTorch's float32 norm and clipped bits
    Tensor grads = Tensor.zeros(1000);
    for (int i = 0; i < 1000; i++) {
      grads.set(i, gradient(1, i) * 3);
    }
    double norm = GradientClipping.clipGlobalNorm(grads, 1.0);
    assertEquals(24.81844139099121, norm, 1e-6, "PyTorch's norm is float32, this one double");
    int[] indices = {0, 1, 2, 500, 999};
    int[] expected = {0xbd0b4054, 0x3c778ece, 0xbd39ab1b, 0xbc9ab941, 0xbd589cf5};
    for (int k = 0; k < indices.length; k++) {
      assertEquals(expected[k], Float.floatToRawIntBits(grads.get(indices[k])), "element " + indices[k]);
    }
  }
}
