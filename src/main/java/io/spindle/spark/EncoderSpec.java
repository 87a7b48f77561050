package io.spindle.spark;

import io.spindle.nn.EncoderConfig;
import io.spindle.nn.NormPlacement;
import java.io.Serializable;

/** An {@link EncoderConfig} as plain serialisable values, for Spark closures (the config record is not Serializable). */
record EncoderSpec(int vocabSize, int maxLength, int numLayers, int numHeads, int embedDim, int numClasses,
    double dropout, boolean bias, EncoderConfig.Positions positions, EncoderConfig.Pooling pooling,
    NormPlacement normPlacement) implements Serializable {
  private static final long serialVersionUID = 1L;

  static EncoderSpec of(EncoderConfig c) {
    return new EncoderSpec(c.vocabSize(), c.maxLength(), c.numLayers(), c.numHeads(), c.embedDim(), c.numClasses(),
        c.dropout(), c.bias(), c.positions(), c.pooling(), c.normPlacement());
  }

  EncoderConfig config() {
    return new EncoderConfig(vocabSize, maxLength, numLayers, numHeads, embedDim, numClasses, dropout, bias,
        positions, pooling, normPlacement);
  }
}
