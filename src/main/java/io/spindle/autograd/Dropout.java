package io.spindle.autograd;

import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Inverted dropout (Srivastava et al. 2014): each element is zeroed with probability p and the kept ones are scaled
 * by {@code 1 / (1 - p)}, so the expected output equals the input and evaluation needs no rescaling.
 *
 * <p>The mask is counter-based, not drawn from a stateful generator: whether element i is kept is a pure function
 * of {@code (seed, i)}, so the same seed gives the same mask on any thread, in any run, on any machine, and a
 * retried Spark task reproduces its gradient bit for bit. Element i's 64 random bits are the (i+1)-th output of a
 * {@link SplitMix64} generator whose state starts at {@code key = mix(seed + GAMMA)}, i.e.
 * {@code mix(key + (i + 1) * GAMMA)}; this is exactly the stream of {@code new java.util.SplittableRandom(key)},
 * where {@code key = new SplittableRandom(seed).nextLong()}. Hashing the seed first keeps nearby seeds (layer
 * indices, step numbers) from giving shifted copies of one stream. The element is kept when the top 53 bits, read as
 * a fraction in [0, 1), are {@code >= p}. Backward recomputes the mask from the seed instead of storing it.
 *
 * <p>The op always drops: a model in evaluation mode skips the call (or passes p = 0), as PyTorch's functional
 * {@code dropout(x, p, training)} does when {@code training} is false.
 */
public final class Dropout {
  private Dropout() {}

  /** {@code out_i = keep(seed, i) ? x_i / (1 - p) : 0}; returns {@code x} itself when p is 0. */
  public static Variable dropout(Graph g, Variable x, float p, long seed) {
    if (!(p >= 0f && p < 1f)) {
      throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
    }
    if (p == 0f) {
      return x;
    }
    float scale = (float) (1.0 / (1.0 - p));
    long key = SplitMix64.mix(seed + SplitMix64.GAMMA);
    Tensor xt = x.value();
    Tensor out = g.empty(xt.shape()); // same shape as x
    FloatBuffer xb = xt.buffer();
    FloatBuffer ob = out.buffer();
    int xo = xt.offset();
    int oo = out.offset();
    for (int i = 0; i < xt.size(); i++) {
      ob.put(oo + i, keep(key, i, p) ? xb.get(xo + i) * scale : 0f);
    }
    return g.record(out, dout -> {
      // forward: out_i = mask_i * x_i / (1 - p); d/dx_i = mask_i / (1 - p), the mask recomputed from the seed
      Tensor dinp = g.gradOf(x);
      FloatBuffer db = dout.buffer();
      int dof = dout.offset();
      for (int i = 0; i < dinp.size(); i++) {
        if (keep(key, i, p)) {
          dinp.set(i, dinp.get(i) + db.get(dof + i) * scale);
        }
      }
    }, x);
  }

  /** Whether element {@code i} survives: its random fraction in [0, 1) is at least p. */
  static boolean keep(long key, long i, float p) {
    return SplitMix64.uniform(key, i) >= p;
  }
}
