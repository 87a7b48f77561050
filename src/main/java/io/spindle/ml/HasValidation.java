package io.spindle.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;

/**
 * When training evaluates its validation data and when it stops early, shared by every model family (the
 * {@code io.spindle.train.ValidationPolicy}, built in {@link SpindleEstimator#validationPolicy}). Which rows
 * validate is the family's: a validation indicator column ({@link HasValidationIndicatorCol}, the classifier and
 * the translator) or the held-out tail of the text (the language model's {@code validationFraction}). Without
 * validation data these Params are unused, and early stopping is refused.
 */
public interface HasValidation extends SpindleParams {
  /**
   * Steps between validation evaluations; one always follows the last step. 0 = only after the last step. The
   * families' defaults differ.
   */
  default IntParam validationInterval() {
    return declaredParams().intParam("validationInterval", "steps between validation evaluations, one also after "
        + "the last step (>= 0; 0 = only after the last step)", ParamValidators.gtEq(0));
  }

  /**
   * Evaluations in a row without improvement after which training stops early; 0 = never stop early. With early
   * stopping on, the model keeps the weights of its best evaluation, also when it ran every step. Needs validation
   * data and a validationInterval above 0. Default 0.
   */
  default IntParam earlyStoppingPatience() {
    return declaredParams().intParam("earlyStoppingPatience", "validation evaluations in a row without "
        + "improvement that stop training, keeping the best weights (>= 0; 0 = never stop early; needs validation "
        + "data)", ParamValidators.gtEq(0), 0);
  }

  /**
   * Early stopping's threshold: an evaluation improves when its mean validation loss (nats) is below the best so far
   * minus this. Default 0 (any decrease).
   */
  default DoubleParam validationTol() {
    return declaredParams().doubleParam("validationTol", "decrease of the validation loss below the best so far "
        + "that counts as improvement for early stopping (>= 0)", ParamValidators.gtEq(0), 0.0);
  }

  /**
   * Null when a fit with these Params has validation data, else why not, in words that name the Param to set (for
   * the message that refuses early stopping without it); the family's, as which rows validate is.
   */
  String missingValidation();
}
