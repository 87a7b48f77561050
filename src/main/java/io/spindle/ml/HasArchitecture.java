package io.spindle.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The shape of a transformer, shared by every model family: depth, heads, width and dropout. The families' defaults
 * differ (each sets them in its one {@code familyDefaults}); what the context length is called differs too, so it is
 * the family's own Param ({@code maxSeqLength}, {@code blockSize}, {@code maxSourceLength}/{@code maxTargetLength}).
 */
public interface HasArchitecture extends SpindleParams {
  /** Transformer blocks: the encoder's (classifier), the decoder's (language model), or each side's (translator). */
  default IntParam numLayers() {
    return declaredParams().intParam("numLayers", "number of transformer blocks; the translator has this many in "
        + "its encoder and as many in its decoder (>= 1)", ParamValidators.gtEq(1), 2);
  }

  /** Attention heads per block; must divide modelDim. Default 4. */
  default IntParam numHeads() {
    return declaredParams().intParam("numHeads", "attention heads per block (>= 1, divides modelDim)",
        ParamValidators.gtEq(1), 4);
  }

  /** Width of the residual stream (C, d_model); the feed-forward layers are 4 times as wide. */
  default IntParam modelDim() {
    return declaredParams().intParam("modelDim", "width of the residual stream d_model; the feed-forward layers "
        + "are 4 times as wide (>= 1; even for the translator's sinusoidal positions)", ParamValidators.gtEq(1));
  }

  /** Dropout probability while training, in [0, 1); none at inference. */
  default DoubleParam dropout() {
    return declaredParams().doubleParam("dropout", "dropout probability while training, in [0, 1)",
        ParamValidators.inRange(0, 1, true, false));
  }

  /**
   * The setters, for the estimators that build a network.
   *
   * @param <S> the estimator, which the setters return
   */
  @SuppressWarnings("unchecked")
  interface Setters<S> extends HasArchitecture {
    default S setNumLayers(int value) {
      return (S) set(numLayers(), value);
    }

    default S setNumHeads(int value) {
      return (S) set(numHeads(), value);
    }

    default S setModelDim(int value) {
      return (S) set(modelDim(), value);
    }

    default S setDropout(double value) {
      return (S) set(dropout(), value);
    }
  }

  /** Throws naming both Params unless numHeads divides modelDim. */
  default void checkHeadsDivideWidth() {
    if (getInt(modelDim()) % getInt(numHeads()) != 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": modelDim " + getInt(modelDim())
          + " must be divisible by numHeads " + getInt(numHeads()));
    }
  }
}
