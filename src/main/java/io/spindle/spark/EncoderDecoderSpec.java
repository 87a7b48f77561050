package io.spindle.spark;

import io.spindle.data.Special;
import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.NormPlacement;
import java.io.Serializable;

/**
 * An {@link EncoderDecoderConfig} as plain serialisable values for Spark closures (the config record is not
 * Serializable), with the special ids a task needs to build batches and decode: the source and target
 * {@code <pad>}, and the target {@code <bos>} and {@code <eos>}.
 */
record EncoderDecoderSpec(int sourceVocabSize, int targetVocabSize, int maxSourceLength, int maxTargetLength,
    int numEncoderLayers, int numDecoderLayers, int numHeads, int embedDim, double dropout, double labelSmoothing,
    boolean bias, NormPlacement normPlacement, EncoderDecoderConfig.Activation activation, boolean sharedEmbeddings,
    boolean tiedOutput, int sourcePad, int targetPad, int bos, int eos) implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The spec of {@code c} with the specials of the tokenizers; throws naming the side and the token when one is
   * missing or outside the model's vocabulary.
   */
  static EncoderDecoderSpec of(EncoderDecoderConfig c, Tokenizer source, Tokenizer target) {
    return new EncoderDecoderSpec(c.sourceVocabSize(), c.targetVocabSize(), c.maxSourceLength(),
        c.maxTargetLength(), c.numEncoderLayers(), c.numDecoderLayers(), c.numHeads(), c.embedDim(), c.dropout(),
        c.labelSmoothing(), c.bias(), c.normPlacement(), c.activation(), c.sharedEmbeddings(), c.tiedOutput(),
        special(source, Special.PAD, "source", c.sourceVocabSize()),
        special(target, Special.PAD, "target", c.targetVocabSize()),
        special(target, Special.BOS, "target", c.targetVocabSize()),
        special(target, Special.EOS, "target", c.targetVocabSize()));
  }

  private static int special(Tokenizer tokenizer, Special special, String side, int vocabSize) {
    int id = tokenizer.specialId(special).orElseThrow(() -> new IllegalArgumentException("translation: the " + side
        + " tokenizer has no " + special.token() + " token (its specials: " + tokenizer.options().specials() + ")"));
    if (id >= vocabSize) {
      throw new IllegalArgumentException("translation: the " + side + " tokenizer's " + special.token() + " id "
          + id + " is outside the model's " + side + " vocabulary of " + vocabSize);
    }
    return id;
  }

  EncoderDecoderConfig config() {
    return new EncoderDecoderConfig(sourceVocabSize, targetVocabSize, maxSourceLength, maxTargetLength,
        numEncoderLayers, numDecoderLayers, numHeads, embedDim, dropout, labelSmoothing, bias, normPlacement,
        activation, sharedEmbeddings, tiedOutput);
  }
}
