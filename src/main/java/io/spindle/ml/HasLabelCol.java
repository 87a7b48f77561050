package io.spindle.ml;

import org.apache.spark.ml.param.Param;

/**
 * The column of the true answers (MLlib's {@code HasLabelCol}): the classifier's class indices, the evaluator's
 * reference translations. Its default is the family's.
 *
 * @param <S> the stage, which the setter returns
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface HasLabelCol<S> extends SpindleParams {
  /** Label column: a class index (numeric) or a reference translation (string). */
  default Param<String> labelCol() {
    return declaredParams().stringParam("labelCol", "label column name: a class index 0..K-1 (numeric) or a "
        + "reference translation (string)", null);
  }

  default String getLabelCol() {
    return getOrDefault(labelCol());
  }

  default S setLabelCol(String value) {
    return (S) set(labelCol(), value);
  }
}
