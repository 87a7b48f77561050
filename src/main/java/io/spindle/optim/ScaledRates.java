package io.spindle.optim;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * An optimizer whose updates of some parameters are scaled: the elements of the parameters a
 * {@link ParameterRateScale} selects move by {@code scale} times the update the wrapped optimizer makes, which for
 * {@link AdamW} and {@link Sgd} is exactly the update at {@code scale} times the learning rate. Both updates are
 * linear in the rate given the state: AdamW's {@code p - lr (wd p + m-hat / denom)} and SGD's {@code p - lr d}, and
 * neither optimizer's moments or momentum depend on the rate. So per-group rates need no change to either kernel:
 * <pre>
 *   p_new = p_old + scale * (inner(p_old) - p_old)      on the group's elements
 * </pre>
 * (one extra rounding per element, a few ulps against stepping the group at {@code scale * lr}, checked by
 * {@code ScaledRatesTest}). Scale 0 leaves the group's values exactly as they were (frozen), though the wrapped
 * optimizer's moments still follow their gradients. The state is the wrapped optimizer's, so checkpoints and
 * resume are unchanged.
 */
public final class ScaledRates implements Optimizer {
  private final Optimizer inner;
  private final double scale;
  private final int[] starts;
  private final int[] ends;
  private final float[] saved; // the group's values before a step, range after range

  /** {@code inner} over {@code parameters}, the parameters {@code rates} selects stepping at its scale. */
  public ScaledRates(Optimizer inner, Parameters parameters, ParameterRateScale rates) {
    if (inner.size() != parameters.count()) {
      throw new IllegalArgumentException("ScaledRates: optimizer of " + inner.size() + " parameters for "
          + parameters.count());
    }
    ParameterRanges group = ParameterRanges.of(parameters, name -> name.startsWith(rates.namePrefix()));
    int total = group.count();
    if (total == 0) {
      throw new IllegalArgumentException("ScaledRates: no parameter name starts with '" + rates.namePrefix() + "'");
    }
    this.inner = inner;
    this.scale = rates.scale();
    this.starts = group.starts();
    this.ends = group.ends();
    this.saved = new float[total];
  }

  @Override
  public void step(Tensor values, Tensor grads, double learningRate) {
    FloatBuffer p = values.buffer();
    int offset = values.offset();
    int at = 0;
    for (int r = 0; r < starts.length; r++) {
      p.get(offset + starts[r], saved, at, ends[r] - starts[r]);
      at += ends[r] - starts[r];
    }
    inner.step(values, grads, learningRate);
    float s = (float) scale;
    at = 0;
    for (int r = 0; r < starts.length; r++) {
      for (int i = starts[r]; i < ends[r]; i++, at++) {
        float old = saved[at];
        p.put(offset + i, scale == 0 ? old : old + s * (p.get(offset + i) - old));
      }
    }
  }

  @Override
  public int size() {
    return inner.size();
  }

  @Override
  public long stepCount() {
    return inner.stepCount();
  }

  @Override
  public OptimizerState state() {
    return inner.state();
  }

  @Override
  public void restore(OptimizerState state) {
    inner.restore(state);
  }

  @Override
  public String toString() {
    return "ScaledRates(" + inner + ", scale " + scale + " on " + saved.length + " elements)";
  }
}
