package io.spindle.optim;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Parallel;
import io.spindle.tensor.Scratch;
import io.spindle.tensor.Simd;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", 2019), as
 * PyTorch's {@code torch.optim.AdamW} computes it. At step t (counting from 1), for each element with parameter p,
 * gradient g, moments m and v:
 * <pre>
 *   p  = p * (1 - lr * weightDecay)                  only where the {@link WeightDecayMask} says so
 *   m  = lerp(m, g, 1 - beta1)                       = beta1 * m + (1 - beta1) * g
 *   v  = v * beta2 + (1 - beta2) * g * g
 *   denom = sqrt(v) / sqrt(1 - beta2^t) + eps        eps is added to sqrt(v-hat), not inside the root
 *   p  = p + (-lr / (1 - beta1^t)) * m / denom
 * </pre>
 *
 * <p>Precision: the step scalars (bias corrections, step size, decay factor) are computed in double from the
 * double hyperparameters and learning rate, then rounded to float, as PyTorch does with Python floats; the
 * per-element arithmetic is float32 in the order of PyTorch's CPU kernels ({@code mul_}, {@code lerp_},
 * {@code mul_().addcmul_()}, {@code sqrt() / c}, {@code add_(eps)}, {@code addcdiv_}), including {@code lerp}'s two
 * formulas (weight below 0.5 or not). This reproduces PyTorch 2.11's CPU AdamW to the bit where PyTorch runs its
 * scalar loop (checked by {@code PyTorchReferenceTest}). Deviation: every Java float operation rounds once, whereas
 * PyTorch's vectorized CPU lanes and its CUDA kernels fuse some multiply-adds ({@code lerp_} via fma, among
 * others), so on large tensors elements can differ from PyTorch's by a few ulps per step (measured: at most 1.2e-7
 * after 5 steps on 1000 elements of magnitude about 1); the math is the same. {@link StrictMath#pow} keeps the bias
 * corrections identical on every JVM, so a run resumed elsewhere continues to the bit.
 *
 * <p>State: m and v, each a flat float buffer of length P, plus the step count.
 */
public final class AdamW implements Optimizer {
  /** The kind this optimizer writes into, and accepts from, an {@link OptimizerState}. */
  public static final String KIND = "adamw";

  /**
   * Hyperparameters, validated once: {@code 0 <= beta1, beta2 < 1}, {@code epsilon > 0}, {@code weightDecay >= 0},
   * all finite. The learning rate is not here; it is passed to each {@link #step} (usually from a
   * {@link LearningRateSchedule}).
   */
  public record Config(double beta1, double beta2, double epsilon, double weightDecay) {
    public Config {
      Checks.beta("AdamW.Config", "beta1", beta1);
      Checks.beta("AdamW.Config", "beta2", beta2);
      if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
        throw new IllegalArgumentException("AdamW.Config: epsilon must be finite and > 0, got " + epsilon);
      }
      Checks.nonNegative("AdamW.Config", "weightDecay", weightDecay);
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. nanoGPT uses betas (0.9, 0.95), 0.1. */
    public static Config defaults() {
      return new Config(0.9, 0.999, 1e-8, 0.01);
    }

    public Config withBetas(double beta1, double beta2) {
      return new Config(beta1, beta2, epsilon, weightDecay);
    }

    public Config withEpsilon(double epsilon) {
      return new Config(beta1, beta2, epsilon, weightDecay);
    }

    public Config withWeightDecay(double weightDecay) {
      return new Config(beta1, beta2, epsilon, weightDecay);
    }
  }

  /** Elements per thread at least, when {@link Parallel} op threads are on. */
  private static final int GRAIN = 1 << 16;
  /** Elements per chunk of {@link #fusedStep}'s parallel pass (1 MB of each buffer). */
  private static final int FUSED_CHUNK = 1 << 18;

  private final Config config;
  private final WeightDecayMask decayMask;
  private final float[] m; // (P,) first moment
  private final float[] v; // (P,) second moment
  private long step;

  /** AdamW over all of {@code parameters}, decaying those of rank 2 or more ({@link WeightDecayMask#matricesOnly}). */
  public AdamW(Config config, Parameters parameters) {
    this(config, WeightDecayMask.matricesOnly(parameters));
  }

  /** AdamW over a flat buffer of {@code decayMask.size()} parameters, decaying the elements the mask selects. */
  public AdamW(Config config, WeightDecayMask decayMask) {
    if (config == null || decayMask == null) {
      throw new IllegalArgumentException("AdamW: config and decay mask are required");
    }
    this.config = config;
    this.decayMask = decayMask;
    this.m = new float[decayMask.size()];
    this.v = new float[decayMask.size()];
  }

  public Config config() {
    return config;
  }

  public WeightDecayMask decayMask() {
    return decayMask;
  }

  @Override
  public void step(Tensor values, Tensor grads, double learningRate) {
    Checks.stepArguments("AdamW.step", size(), values, grads, learningRate);
    step++;
    Coefficients k = coefficients(learningRate, 1f, 1f);
    FloatBuffer pb = values.buffer();
    FloatBuffer gb = grads.buffer();
    int po = values.offset();
    int go = grads.offset();
    // Elements are independent, so with Parallel op threads the buffer is split between threads.
    Parallel.forRange(size(), GRAIN, (chunk, from, to) -> forBlocks(pb, po, gb, go, from, to, k,
        (ps, gs, at, len, factor) -> stepBlock(ps, gs, at, len, factor, k)));
  }

  /**
   * {@link #step}'s update of one block (the arguments of {@link BlockUpdate}), the scalar formula above element by
   * element: one array written per loop, so that C2 vectorises each loop; the float operations and their order are
   * exactly those of the formula. Returns -1: this path does not look for non-finite weights.
   */
  private int stepBlock(float[] ps, float[] gs, int at, int len, float factor, Coefficients k) {
    float negStepSize = k.negStepSize();
    float biasCorrection2Sqrt = k.biasCorrection2Sqrt();
    float weight1 = k.weight1();
    float beta2 = k.beta2();
    float weight2 = k.weight2();
    float eps = k.eps();
    float oneMinusWeight1 = k.oneMinusWeight1();
    if (k.smallWeight()) {
      for (int j = 0; j < len; j++) {
        float g = gs[j];
        float mi = m[at + j];
        m[at + j] = mi + weight1 * (g - mi);
      }
    } else {
      for (int j = 0; j < len; j++) {
        float g = gs[j];
        float mi = m[at + j];
        m[at + j] = g - (g - mi) * oneMinusWeight1;
      }
    }
    for (int j = 0; j < len; j++) {
      float g = gs[j];
      float vi = v[at + j] * beta2;
      v[at + j] = vi + weight2 * g * g;
    }
    for (int j = 0; j < len; j++) {
      float denom = (float) Math.sqrt(v[at + j]) / biasCorrection2Sqrt + eps;
      float p = ps[j] * factor;
      ps[j] = p + negStepSize * m[at + j] / denom;
    }
    return -1;
  }

  /**
   * The update of one block: weights {@code ps[0, len)} and gradients {@code gs[0, len)} of elements {@code at ..}
   * (moments at the same indices), {@code factor} the weight decay of the block's range (1 where it does not decay).
   * Returns the first j whose new weight is not finite, or -1.
   */
  @FunctionalInterface
  private interface BlockUpdate {
    int apply(float[] ps, float[] gs, int at, int len, float factor);
  }

  /**
   * Applies {@code update} to elements [from, to) of the weight and gradient buffers, block by block: the
   * {@link WeightDecayMask}'s ranges are walked as alternating segments (undecayed up to the next decayed range, then
   * that range, factor {@code k.decay()}), and each segment is cut into blocks of at most {@link Scratch#BLOCK}
   * elements that are bulk-copied into scratch arrays (so the update loops run over plain arrays) and the weights
   * copied back. Returns the index of the first element an update reported, or -1.
   */
  private int forBlocks(FloatBuffer pb, int po, FloatBuffer gb, int go, int from, int to, Coefficients k,
      BlockUpdate update) {
    float[] ps = Scratch.floats(0, Scratch.BLOCK);
    float[] gs = Scratch.floats(1, Scratch.BLOCK);
    int ranges = decayMask.rangeCount();
    int range = 0;
    while (range < ranges && decayMask.end(range) <= from) {
      range++;
    }
    int firstBad = -1;
    int i = from;
    while (i < to) {
      boolean inRange = range < ranges && i >= decayMask.start(range);
      int end = Math.min(to, inRange ? decayMask.end(range) : range < ranges ? decayMask.start(range) : to);
      float factor = inRange ? k.decay() : 1f;
      for (int b = i; b < end; b += Scratch.BLOCK) {
        int len = Math.min(Scratch.BLOCK, end - b);
        pb.get(po + b, ps, 0, len);
        gb.get(go + b, gs, 0, len);
        int bad = update.apply(ps, gs, b, len, factor);
        pb.put(po + b, ps, 0, len);
        if (bad >= 0 && firstBad < 0) {
          firstBad = b + bad;
        }
      }
      if (inRange && end == decayMask.end(range)) {
        range++;
      }
      i = end;
    }
    return firstBad;
  }

  /**
   * The scalars of one step, computed once (in double, rounded to float, as the class comment says), and the two
   * factors the fused step applies to each gradient first: {@code g = (grad * gradScale) * clipScale}.
   */
  record Coefficients(float negStepSize, float biasCorrection2Sqrt, float decay, float weight1, float beta2,
      float weight2, float eps, boolean smallWeight, float oneMinusWeight1, float gradScale, float clipScale) {}

  /** The coefficients of the step {@link #step} counts now, at {@code learningRate}. */
  private Coefficients coefficients(double learningRate, float gradScale, float clipScale) {
    double biasCorrection1 = 1 - StrictMath.pow(config.beta1(), step);
    double biasCorrection2 = 1 - StrictMath.pow(config.beta2(), step);
    float weight1 = (float) (1 - config.beta1());
    return new Coefficients((float) -(learningRate / biasCorrection1), (float) Math.sqrt(biasCorrection2),
        (float) (1 - learningRate * config.weightDecay()), weight1, (float) config.beta2(),
        (float) (1 - config.beta2()), (float) config.epsilon(), Math.abs(weight1) < 0.5f, 1f - weight1, gradScale,
        clipScale);
  }

  /**
   * The driver's whole update in one pass ({@code TrainingLoop}'s fused path): each gradient is read once and taken
   * as {@code g = (grads[i] * gradScale) * clipScale}, each product rounded to float, which is exactly what scaling
   * the buffer in place by {@code gradScale} and then clipping it by {@code clipScale} computes (a factor of 1 changes
   * nothing); then this element's weight, m and v are updated as {@link #step} updates them, to the bit. The gradient
   * buffer is left as it was. The pass runs on the Vector API when {@link Simd#ENABLED} (lane-wise IEEE operations
   * in the scalar formula's order, no fused multiply-add, so the same bits) and over the cores of this JVM (the
   * fork-join common pool, in fixed chunks: elements are independent, so the split does not change a bit).
   *
   * <p>Returns the index of the first weight the update made non-finite (NaN or infinite), or -1: the caller stops
   * training on it, as {@code TrainingLoop} does after an unfused step.
   */
  public int fusedStep(Tensor values, Tensor grads, float gradScale, float clipScale, double learningRate) {
    Checks.stepArguments("AdamW.fusedStep", size(), values, grads, learningRate);
    step++;
    Coefficients k = coefficients(learningRate, gradScale, clipScale);
    FloatBuffer pb = values.buffer();
    FloatBuffer gb = grads.buffer();
    int po = values.offset();
    int go = grads.offset();
    int size = size();
    int chunks = (size + FUSED_CHUNK - 1) / FUSED_CHUNK;
    AtomicInteger firstBad = new AtomicInteger(Integer.MAX_VALUE);
    IntStream.range(0, chunks).parallel().forEach(c -> {
      int bad = fusedChunk(pb, po, gb, go, c * FUSED_CHUNK, Math.min(size, (c + 1) * FUSED_CHUNK), k);
      if (bad >= 0) {
        firstBad.accumulateAndGet(bad, Math::min);
      }
    });
    return firstBad.get() == Integer.MAX_VALUE ? -1 : firstBad.get();
  }

  /** {@link #fusedStep} over elements [from, to): returns the first non-finite weight's index, or -1. */
  private int fusedChunk(FloatBuffer pb, int po, FloatBuffer gb, int go, int from, int to, Coefficients k) {
    return forBlocks(pb, po, gb, go, from, to, k, (ps, gs, at, len, factor) -> Simd.ENABLED
        ? AdamWVector.update(ps, gs, m, v, at, len, factor, k) : updateBlock(ps, gs, m, v, at, len, factor, k));
  }

  /**
   * The fused update of one block in plain Java: weights {@code p[0, len)} and gradients {@code g[0, len)} of
   * elements {@code at ..}, moments {@code m, v} at {@code at ..}; {@code factor} the weight decay of this range (1
   * where it does not decay). Returns the first j whose new weight is not finite, or -1. The reference the vector
   * kernel ({@link AdamWVector}) is tested against, and {@link #step}'s formula element by element.
   */
  static int updateBlock(float[] p, float[] g, float[] m, float[] v, int at, int len, float factor,
      Coefficients k) {
    return updateBlock(p, g, m, v, at, len, factor, k, 0);
  }

  /** {@link #updateBlock} from element {@code first} of the block on (the vector kernel's tail). */
  static int updateBlock(float[] p, float[] g, float[] m, float[] v, int at, int len, float factor,
      Coefficients k, int first) {
    int bad = -1;
    for (int j = first; j < len; j++) {
      float gj = (g[j] * k.gradScale()) * k.clipScale();
      float mi = m[at + j];
      float mj = k.smallWeight() ? mi + k.weight1() * (gj - mi) : gj - (gj - mi) * k.oneMinusWeight1();
      m[at + j] = mj;
      float vi = v[at + j] * k.beta2();
      float vj = vi + k.weight2() * gj * gj;
      v[at + j] = vj;
      float denom = (float) Math.sqrt(vj) / k.biasCorrection2Sqrt() + k.eps();
      float pj = p[j] * factor;
      pj = pj + k.negStepSize() * mj / denom;
      p[j] = pj;
      if (bad < 0 && !Float.isFinite(pj)) {
        bad = j;
      }
    }
    return bad;
  }

  @Override
  public int size() {
    return m.length;
  }

  @Override
  public long stepCount() {
    return step;
  }

  /** Buffers: m, then v. */
  @Override
  public OptimizerState state() {
    return OptimizerState.owning(KIND, step, size(), m.clone(), v.clone());
  }

  @Override
  public void restore(OptimizerState state) {
    state.requireMatches("AdamW.restore", KIND, 2, size());
    state.copyBufferInto(0, m);
    state.copyBufferInto(1, v);
    step = state.step();
  }

  @Override
  public String toString() {
    return "AdamW(" + config + ", " + decayMask + ", step " + step + ")";
  }
}
