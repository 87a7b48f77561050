package io.spindle.ml;

import org.apache.spark.ml.param.Param;

/** The tokenization of the stages that learn their own tokenizer from text ({@link TransformerLM}, {@link TransformerTranslator}). */
public interface HasTokenizerMode extends HasTokenizerOptions {
  /** {@code "char"} (one token per code point) or {@code "word"} (words and punctuation). Default {@code "char"}. */
  default Param<String> tokenizerMode() {
    return declaredParams().choiceParam("tokenizerMode", "tokenization: 'char' (one token per code point) or "
        + "'word' (words and punctuation)", "char", "char", "word");
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
