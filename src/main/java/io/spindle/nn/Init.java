package io.spindle.nn;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/** Weight initialisation, seeded so that a model built twice from one seed is identical to the bit. */
final class Init {
  /** GPT-2's and nanoGPT's standard deviation for Linear weights and learned embeddings. */
  static final double STD = 0.02;

  private Init() {}

  /**
   * GPT-2's scaled standard deviation of a residual projection ({@code c_proj}): {@link #STD} / sqrt(R), with R the
   * residual branches that add into the stream (2 per GPT or encoder layer), so the stream's variance does not grow
   * with depth.
   */
  static double residualStd(double branches) {
    return STD / Math.sqrt(branches);
  }

  /**
   * Draws every matrix (rank-2 parameter) of {@code p} from N(0, std^2) with {@code std} given per name, in
   * declaration order from one generator seeded with {@code seed}. Vectors are left as built: biases 0, LayerNorm
   * gains for {@link Norm#initialise}.
   */
  static void matrices(Parameters p, long seed, ToDoubleFunction<String> std) {
    SplittableRandom rnd = new SplittableRandom(seed);
    for (String name : p.names()) {
      Tensor t = p.get(name).value();
      if (t.rank() == 2) {
        normal(t, std.applyAsDouble(name), rnd);
      }
    }
  }

  /** Fills {@code t} with N(0, std^2) draws (Box-Muller on a seeded generator). */
  private static void normal(Tensor t, double std, SplittableRandom rnd) {
    for (int i = 0; i < t.size(); i++) {
      double u1 = 1.0 - rnd.nextDouble(); // (0, 1]
      double u2 = rnd.nextDouble();
      t.set(i, (float) (std * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
    }
  }
}
