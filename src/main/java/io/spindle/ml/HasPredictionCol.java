package io.spindle.ml;

import org.apache.spark.ml.param.Param;

/**
 * The column of a stage's predictions (MLlib's {@code HasPredictionCol}): the classifier's class index, the
 * translator's translations, the evaluator's translations to score. Its default is the family's.
 *
 * @param <S> the stage, which the setter returns
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface HasPredictionCol<S> extends SpindleParams {
  /** Prediction column: a class index (double) or a translation (string). */
  default Param<String> predictionCol() {
    return declaredParams().stringParam("predictionCol", "prediction column name: a class index (double) or a "
        + "translation (string)", null);
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  default S setPredictionCol(String value) {
    return (S) set(predictionCol(), value);
  }
}
