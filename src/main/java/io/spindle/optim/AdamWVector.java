package io.spindle.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AdamW#fusedStep}'s block update on the incubating Vector API: {@link AdamW#updateBlock}'s formula lane by
 * lane, every operation an IEEE float32 operation rounded once (multiply, add, subtract, divide, square root; no fused
 * multiply-add) in the scalar formula's order, so each lane gets the scalar's bits. Only loaded when
 * {@link io.spindle.tensor.Simd#ENABLED}. Written for C2 as {@code io.spindle.autograd.VectorMath} is: constants
 * broadcast into locals before the loop, no vector crosses a call, the last {@code len % lanes} elements in scalar
 * code.
 */
final class AdamWVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  private AdamWVector() {}

  /** As {@link AdamW#updateBlock}: returns the first j whose new weight is not finite, or -1. */
  static int update(float[] p, float[] g, float[] m, float[] v, int at, int len, float factor,
      AdamW.Coefficients k) {
    FloatVector gradScale = FloatVector.broadcast(S, k.gradScale());
    FloatVector clipScale = FloatVector.broadcast(S, k.clipScale());
    FloatVector weight1 = FloatVector.broadcast(S, k.weight1());
    FloatVector oneMinusWeight1 = FloatVector.broadcast(S, k.oneMinusWeight1());
    FloatVector beta2 = FloatVector.broadcast(S, k.beta2());
    FloatVector weight2 = FloatVector.broadcast(S, k.weight2());
    FloatVector biasCorrection2Sqrt = FloatVector.broadcast(S, k.biasCorrection2Sqrt());
    FloatVector eps = FloatVector.broadcast(S, k.eps());
    FloatVector negStepSize = FloatVector.broadcast(S, k.negStepSize());
    FloatVector decay = FloatVector.broadcast(S, factor);
    boolean smallWeight = k.smallWeight();
    int bound = S.loopBound(len);
    int bad = -1;
    int j = 0;
    for (; j < bound; j += S.length()) {
      FloatVector gj = FloatVector.fromArray(S, g, j).mul(gradScale).mul(clipScale);
      FloatVector mi = FloatVector.fromArray(S, m, at + j);
      FloatVector mj = smallWeight ? mi.add(weight1.mul(gj.sub(mi))) : gj.sub(gj.sub(mi).mul(oneMinusWeight1));
      mj.intoArray(m, at + j);
      FloatVector vj = FloatVector.fromArray(S, v, at + j).mul(beta2).add(weight2.mul(gj).mul(gj));
      vj.intoArray(v, at + j);
      FloatVector denom = vj.lanewise(VectorOperators.SQRT).div(biasCorrection2Sqrt).add(eps);
      FloatVector pj = FloatVector.fromArray(S, p, j).mul(decay).add(negStepSize.mul(mj).div(denom));
      pj.intoArray(p, j);
      if (bad < 0 && pj.test(VectorOperators.IS_FINITE).not().anyTrue()) {
        bad = j + pj.test(VectorOperators.IS_FINITE).not().firstTrue();
      }
    }
    if (j < len) {
      int tail = AdamW.updateBlock(p, g, m, v, at, len, factor, k, j);
      if (bad < 0) {
        bad = tail;
      }
    }
    return bad;
  }
}
