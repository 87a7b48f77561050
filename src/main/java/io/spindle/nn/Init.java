package io.spindle.nn;

import io.spindle.tensor.Tensor;
import java.util.SplittableRandom;

/** Weight initialisation, seeded so that a model built twice from one seed is identical to the bit. */
final class Init {
  private Init() {}

  /** Fills {@code t} with N(0, std^2) draws (Box-Muller on a seeded generator). */
  static void normal(Tensor t, double std, SplittableRandom rnd) {
    for (int i = 0; i < t.size(); i++) {
      double u1 = 1.0 - rnd.nextDouble(); // (0, 1]
      double u2 = rnd.nextDouble();
      t.set(i, (float) (std * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
    }
  }
}
