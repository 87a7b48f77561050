package io.spindle.ml;

import io.spindle.nn.EncoderConfig;
import org.apache.spark.ml.linalg.SQLDataTypes;
import java.util.Locale;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
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
public interface TransformerClassifierParams<S> extends TrainingParams, HasArchitecture, HasValidationIndicatorCol,
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

  /**
   * The transformer under the head: {@code "encoder"} (bidirectional blocks) or {@code "gpt"} (causal blocks with
   * {@link io.spindle.nn.Gpt}'s parameters, the body a pretrained language model fine-tunes; an initial model implies
   * it). Default {@code "encoder"}.
   */
  default Param<String> backbone() {
    return declaredParams().choiceParam("backbone", "the transformer under the head: 'encoder' (bidirectional) or "
        + "'gpt' (causal, a language model's body; implied by an initial model)", "encoder", "encoder", "gpt");
  }

  default String getBackbone() {
    return getOrDefault(backbone());
  }

  /**
   * How the final states become one vector for the head: {@code "mean"} over the real tokens, the {@code "last"}
   * real token (GPT-1's head; under causal attention the only position that read the whole sequence) or the
   * {@code "first"}. Default {@code "mean"} (docs/benchmarks.md compares mean and last for a fine-tuned GPT).
   */
  default Param<String> pooling() {
    return declaredParams().choiceParam("pooling", "how the final states are pooled for the head: 'mean' over the "
        + "real tokens, the 'last' real token, or the 'first'", "mean", "mean", "last", "first");
  }

  default String getPooling() {
    return getOrDefault(pooling());
  }

  /**
   * What {@code transform} does with a row whose ids are null or empty, or hold a null id or one outside the
   * model's vocabulary: {@code "error"} fails naming the column (and the text column it was tokenized from),
   * {@code "skip"} drops the row, {@code "keep"} keeps it with null rawPrediction, probability and prediction.
   * MLlib's {@code handleInvalid}. Default {@code "error"}.
   */
  default Param<String> handleInvalid() {
    return declaredParams().choiceParam("handleInvalid", "rows with null or empty ids or an id outside the "
        + "vocabulary at transform: 'error', 'skip' (drop the row) or 'keep' (null predictions)", "error", "error",
        "skip", "keep");
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }

  default S setHandleInvalid(String value) {
    return (S) set(handleInvalid(), value);
  }

  /**
   * A pretrained language model to start from: the path of a saved {@link TransformerLMModel} or of a model folder
   * written by {@code spindle train-lm}. Its body becomes the GPT backbone, its tokenizer the classifier's; the
   * head is new. Not set: trained from scratch. {@link TransformerClassifier#setInitialModel} sets a fitted model
   * instead.
   */
  default Param<String> initialModelPath() {
    return declaredParams().stringParam("initialModelPath", "path of a saved TransformerLMModel or a train-lm model "
        + "folder whose GPT the classifier fine-tunes (unset: from scratch)", null);
  }

  /**
   * The backbone's learning rate, at the peak of the schedule, when it should differ from the head's
   * {@code stepSize}: lower to fine-tune gently, 0 to freeze the backbone and train only the head. Not set: the
   * backbone steps at {@code stepSize} too.
   */
  default DoubleParam backboneStepSize() {
    return declaredParams().doubleParam("backboneStepSize", "peak learning rate of the backbone (everything but the "
        + "head); 0 freezes it (unset: stepSize)", ParamValidators.gtEq(0));
  }

  /** The classifier's defaults where the families' differ. */
  @Override
  default ParamPair<?>[] familyDefaults() {
    return new ParamPair<?>[] {labelCol().w("label"), predictionCol().w("prediction"), modelDim().w(64),
        dropout().w(0.0), maxIter().w(200), stepSize().w(1e-3), warmupSteps().w(10), weightDecay().w(0.01),
        validationInterval().w(10)};
  }

  /** The architecture for a vocabulary of {@code vocab} tokens and {@code classes} classes. */
  default EncoderConfig encoderConfig(int vocab, int classes) {
    return EncoderConfig.of(vocab, getInt(maxSeqLength()), getInt(numLayers()), getInt(numHeads()),
        getInt(modelDim()), classes).withDropout(getDouble(dropout())).withPooling(poolingChoice())
        .withBackbone(EncoderConfig.Backbone.valueOf(getBackbone().toUpperCase(Locale.ROOT)));
  }

  /** The {@link #pooling()} Param as the config's constant. */
  default EncoderConfig.Pooling poolingChoice() {
    return EncoderConfig.Pooling.valueOf(getPooling().toUpperCase(Locale.ROOT));
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
      requireValidationIndicatorCol(stage, schema);
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
  interface Setters<S> extends TransformerClassifierParams<S>, HasArchitecture.Setters<S>,
      HasValidationIndicatorCol.Setters<S> {
    default S setMaxSeqLength(int value) {
      return (S) set(maxSeqLength(), value);
    }

    default S setNumClasses(int value) {
      return (S) set(numClasses(), value);
    }

    default S setVocabSize(int value) {
      return (S) set(vocabSize(), value);
    }

    default S setBackbone(String value) {
      return (S) set(backbone(), value);
    }

    default S setPooling(String value) {
      return (S) set(pooling(), value);
    }

    default S setInitialModelPath(String value) {
      return (S) set(initialModelPath(), value);
    }

    default S setBackboneStepSize(double value) {
      return (S) set(backboneStepSize(), value);
    }
  }
}
