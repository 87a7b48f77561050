package io.spindle.ml;

import org.apache.spark.ml.param.Param;

/** The tokenization of the stages that learn their own tokenizer from text ({@link TransformerLM}, {@link TransformerTranslator}). */
public interface HasTokenizerMode extends HasTokenizerOptions {
  /**
   * {@code "char"} (one token per code point), {@code "word"} (words and punctuation) or {@code "bpe"} (byte-level
   * byte-pair encoding learned on the executors, {@link io.spindle.data.BpeTokenizer}; {@code maxVocabSize} is the
   * size the merges grow the vocabulary to, at least 260). Default {@code "char"}.
   */
  default Param<String> tokenizerMode() {
    return declaredParams().choiceParam("tokenizerMode", "tokenization: 'char' (one token per code point), "
        + "'word' (words and punctuation) or 'bpe' (byte-level byte-pair encoding)", "char", "char", "word", "bpe");
  }

  default String getTokenizerMode() {
    return getOrDefault(tokenizerMode());
  }

  /**
   * The setters, for the estimators.
   *
   * @param <S> the estimator, which the setters return
   */
  @SuppressWarnings("unchecked")
  interface Setters<S> extends HasTokenizerMode, HasTokenizerOptions.Setters<S> {
    default S setTokenizerMode(String value) {
      return (S) set(tokenizerMode(), value);
    }
  }
}
