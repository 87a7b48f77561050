package io.spindle.ml;

import io.spindle.data.Special;
import io.spindle.data.TokenizerOptions;
import java.util.EnumSet;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/**
 * How a vocabulary is learned, shared by the stages that learn one ({@link SpindleTokenizer},
 * {@link TransformerLM}, {@link TransformerTranslator}): the specials {@code <pad> <unk> <bos> <eos>} (ids 0..3),
 * then the tokens by falling count.
 */
public interface HasTokenizerOptions extends SpindleParams {
  /** A token enters the vocabulary only if it occurs at least this often in the training text. Default 1. */
  default IntParam minCount() {
    return declaredParams().intParam("minCount", "minimum count of a token in the training text to enter the "
        + "vocabulary (>= 1)", ParamValidators.gtEq(1), 1);
  }

  default int getMinCount() {
    return getInt(minCount());
  }

  /**
   * Largest vocabulary, the 4 special tokens included; for a BPE tokenizer, the size the merges grow the vocabulary
   * to (at least 260). 0 = no limit, which a word vocabulary of a large corpus makes huge (an embedding row per word
   * seen once). Default {@link TokenizerOptions#DEFAULT_MAX_VOCAB_SIZE} (32,000).
   */
  default IntParam maxVocabSize() {
    return declaredParams().intParam("maxVocabSize", "largest vocabulary, the 4 special tokens <pad> <unk> <bos> "
        + "<eos> included; for 'bpe', the size the merges grow it to (0 = no limit, else > 4; >= 260 for 'bpe')",
        ParamValidators.gtEq(0), TokenizerOptions.DEFAULT_MAX_VOCAB_SIZE);
  }

  default int getMaxVocabSize() {
    return getInt(maxVocabSize());
  }

  /**
   * The options these Params describe: the four specials, minCount, maxVocabSize, case kept. Refuses a maxVocabSize
   * without room for a learned token.
   */
  default TokenizerOptions tokenizerOptions() {
    int max = getMaxVocabSize();
    return new TokenizerOptions(EnumSet.allOf(Special.class), getMinCount(),
        max == 0 ? TokenizerOptions.NO_LIMIT : max, false);
  }

  /**
   * The setters, for the estimators that learn a vocabulary (a fitted model's vocabulary is fixed).
   *
   * @param <S> the estimator, which the setters return
   */
  @SuppressWarnings("unchecked")
  interface Setters<S> extends HasTokenizerOptions {
    default S setMinCount(int value) {
      return (S) set(minCount(), value);
    }

    default S setMaxVocabSize(int value) {
      return (S) set(maxVocabSize(), value);
    }
  }
}
