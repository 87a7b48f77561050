package io.spindle.ml;

import io.spindle.nn.EncoderConfig;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * The Params of {@link TransformerClassifier} and {@link TransformerClassificationModel}: MLlib's probabilistic
 * classifier columns, the training Params every family shares, a validation indicator column, and the classifier's
 * own sequence length, classes and vocabulary. {@link #encoderConfig} is where they map onto the architecture.
 *
 * @param <S> the stage, which the setters of the columns both stages have return
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface TransformerClassifierParams<S> extends TrainingParams, HasValidationIndicatorCol,
    HasLabelCol<S>, HasPredictionCol<S> {
  /** Features column: token ids, array&lt;int&gt;. Default {@code "ids"}. */
  default Param<String> featuresCol() {
    return declaredParams().stringParam("featuresCol", "features column name: token ids, array<int>", "ids");
  }

  default String getFeaturesCol() {
    return getOrDefault(featuresCol());
  }

  default S setFeaturesCol(String value) {
    return (S) set(featuresCol(), value);
  }

  /** Class logits (Vector of K). Default {@code "rawPrediction"}. */
  default Param<String> rawPredictionCol() {
    return declaredParams().stringParam("rawPredictionCol", "raw prediction column name: class logits, vector",
        "rawPrediction");
  }

  default String getRawPredictionCol() {
    return getOrDefault(rawPredictionCol());
  }

  default S setRawPredictionCol(String value) {
    return (S) set(rawPredictionCol(), value);
  }

  /** Class probabilities, the softmax of the logits (Vector of K). Default {@code "probability"}. */
  default Param<String> probabilityCol() {
    return declaredParams().stringParam("probabilityCol", "probability column name: class probabilities (softmax "
        + "of the logits), vector", "probability");
  }

  default String getProbabilityCol() {
    return getOrDefault(probabilityCol());
  }

  default S setProbabilityCol(String value) {
    return (S) set(probabilityCol(), value);
  }

  /** Longest sequence the model reads; longer ones are truncated. Default 128. */
  default IntParam maxSeqLength() {
    return declaredParams().intParam("maxSeqLength", "longest sequence read; longer ones are truncated (>= 1)",
        ParamValidators.gtEq(1), 128);
  }

  /** K, the number of classes; 0 = one more than the largest label in the training data (at least 2). */
  default IntParam numClasses() {
    return declaredParams().intParam("numClasses", "number of classes K (0 = one more than the largest training "
        + "label, at least 2)", ParamValidators.gtEq(0), 0);
  }

  /** The vocabulary size; 0 = from the features column's metadata (SpindleTokenizerModel), else the data. */
  default IntParam vocabSize() {
    return declaredParams().intParam("vocabSize", "vocabulary size (0 = from the features column's metadata, else "
        + "one more than the largest training id)", ParamValidators.gtEq(0), 0);
  }

  /** The architecture for a vocabulary of {@code vocab} tokens and {@code classes} classes. */
  default EncoderConfig encoderConfig(int vocab, int classes) {
    return EncoderConfig.of(vocab, getInt(maxSeqLength()), getInt(numLayers()), getInt(numHeads()),
        getInt(modelDim()), classes).withDropout(getDouble(dropout()));
  }

  /**
   * Checks the features (array&lt;int&gt;) and, when {@code fitting}, the label (numeric) and validation indicator
   * (boolean) columns; appends the rawPrediction and probability (Vector) and prediction (double) columns.
   */
  @Override
  default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    Schemas.requireIds(stage, schema, getFeaturesCol());
    if (fitting) {
      Schemas.requireNumeric(stage, schema, getLabelCol());
      if (hasValidationIndicatorCol()) {
        Schemas.requireBoolean(stage, schema, getOrDefault(validationIndicatorCol()));
      }
    }
    StructType out = Schemas.append(stage, schema, getRawPredictionCol(), SQLDataTypes.VectorType(),
        Metadata.empty());
    out = Schemas.append(stage, out, getProbabilityCol(), SQLDataTypes.VectorType(), Metadata.empty());
    return Schemas.append(stage, out, getPredictionCol(), DataTypes.DoubleType, Metadata.empty());
  }

  /**
   * The setters of the Params only the estimator uses (the model's network is fixed).
   *
   * @param <S> the estimator, which the setters return
   */
  interface Setters<S> extends TransformerClassifierParams<S>, HasValidationIndicatorCol.Setters<S> {
    default S setMaxSeqLength(int value) {
      return (S) set(maxSeqLength(), value);
    }

    default S setNumClasses(int value) {
      return (S) set(numClasses(), value);
    }

    default S setVocabSize(int value) {
      return (S) set(vocabSize(), value);
    }
  }
}
