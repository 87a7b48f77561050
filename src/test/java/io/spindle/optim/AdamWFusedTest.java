package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Simd;
import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link AdamW#fusedStep} against the unfused reference the trainers took before it (scale the gradient buffer in
 * place, clip it in place, {@link AdamW#step}): the weights and both moments must agree in their raw bits, step after
 * step, with clipping on and off, weight decay on matrices only, both of {@code lerp}'s formulas (beta1 0.9: weight
 * 0.1 below one half; beta1 0.3: weight 0.7), and buffers longer than one parallel chunk whose decay ranges start
 * and end inside vectors, blocks and chunks. The JVM runs the Vector API kernel when {@link Simd#ENABLED} (as the
 * tests' flags do), so this compares the vector lanes with the scalar formula.
 */
class AdamWFusedTest {
  private static Parameters parameters() {
    Parameters.Builder b = Parameters.builder();
    for (int i = 0; i < 3; i++) {
      b.add("w" + i, 301, 577); // 173,677 elements: the three matrices straddle 256 Ki chunks
      b.add("b" + i, 1_003);
    }
    return b.build();
  }

  @ParameterizedTest
  @CsvSource({"0.9, 1.0", "0.9, 0", "0.3, 0.05", "0.3, 1e9"})
  void fusedStepHasTheBitsOfScaleClipStep(double beta1, double maxNorm) {
    Parameters ref = parameters();
    Parameters fused = parameters();
    Random rnd = new Random(5);
    for (int i = 0; i < ref.values().size(); i++) {
      float x = (float) rnd.nextGaussian();
      ref.values().set(i, x);
      fused.values().set(i, x);
    }
    AdamW.Config config = AdamW.Config.defaults().withBetas(beta1, 0.95).withWeightDecay(0.1);
    AdamW a = new AdamW(config, ref);
    AdamW b = new AdamW(config, fused);
    int clipped = 0;
    for (int step = 0; step < 4; step++) {
      long count = 997 + step;
      for (int i = 0; i < ref.grads().size(); i++) {
        float g = (float) (rnd.nextGaussian() * 40);
        ref.grads().set(i, g);
        fused.grads().set(i, g);
      }
      float scale = (float) (1.0 / count);
      double lr = 3e-3 * (step + 1);
      // the reference: what TrainingLoop did before the fused pass
      ref.grads().scaleInPlace(scale);
      double norm = maxNorm > 0 ? GradientClipping.clipGlobalNorm(ref.grads(), maxNorm)
          : GradientClipping.globalNorm(ref.grads());
      a.step(ref, lr);
      double fusedNorm = GradientClipping.globalNorm(fused.grads(), scale);
      assertEquals(Double.doubleToRawLongBits(norm), Double.doubleToRawLongBits(fusedNorm), "norm at step " + step);
      float clip = maxNorm > 0 ? GradientClipping.coefficient(fusedNorm, maxNorm) : 1f;
      clipped += clip < 1f ? 1 : 0;
      assertEquals(-1, b.fusedStep(fused.values(), fused.grads(), scale, clip, lr));
      assertSameBits(ref.values(), fused.values(), "weights after step " + step);
      assertSameBits(a.state().buffer(0), b.state().buffer(0), "m after step " + step);
      assertSameBits(a.state().buffer(1), b.state().buffer(1), "v after step " + step);
    }
    if (maxNorm == 0.05) {
      assertEquals(4, clipped, "the small max norm clips every step");
    }
    if (maxNorm == 1e9) {
      assertEquals(0, clipped, "the huge max norm clips no step");
    }
  }

  @ParameterizedTest
  @CsvSource({"17", "100000", "173000"})
  void aNonFiniteWeightIsReportedAtItsIndex(int at) {
    Parameters p = parameters();
    AdamW adam = new AdamW(AdamW.Config.defaults(), p);
    p.grads().set(at, Float.POSITIVE_INFINITY); // m becomes infinite there, and the weight with it
    p.grads().set(at + 40_000, Float.NaN);
    assertEquals(at, adam.fusedStep(p.values(), p.grads(), 1f, 1f, 1e-3));
    assertTrue(Float.isFinite(p.values().get(at - 1)) && !Float.isFinite(p.values().get(at)));
  }

  private static void assertSameBits(Tensor expected, Tensor actual, String what) {
    assertSameBits(expected.toArray(), actual.toArray(), what);
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }
}
