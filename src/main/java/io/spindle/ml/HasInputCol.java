package io.spindle.ml;

import org.apache.spark.ml.param.Param;

/**
 * The text column a stage reads (MLlib's {@code HasInputCol}); its default is the family's.
 *
 * @param <S> the stage, which the setter returns
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface HasInputCol<S> extends SpindleParams {
  /** Input column of text (string): the tokenizer's and language model's text, the translator's sources. */
  default Param<String> inputCol() {
    return declaredParams().stringParam("inputCol", "input column of text (string)", null);
  }

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default S setInputCol(String value) {
    return (S) set(inputCol(), value);
  }
}
