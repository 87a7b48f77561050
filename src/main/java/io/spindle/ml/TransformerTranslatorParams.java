package io.spindle.ml;

import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.NormPlacement;
import java.util.Locale;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * The Params of {@link TransformerTranslator} and {@link TransformerTranslationModel}: the text columns, the
 * tokenizers, the training Params every family shares, a validation indicator column, the encoder–decoder's own
 * lengths, label smoothing and norm placement, and the decoding. {@link #encoderDecoderConfig} is where they map
 * onto the architecture.
 *
 * @param <S> the stage, which the setters of the Params both stages use return
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface TransformerTranslatorParams<S> extends TrainingParams, HasArchitecture, HasInputCol<S>,
    HasPredictionCol<S>, HasTokenizerMode, HasValidationIndicatorCol {
  /** Beam width of {@code transform}: 1 = greedy decoding. Default 1. */
  default IntParam beamSize() {
    return declaredParams().intParam("beamSize", "beam width when translating (1 = greedy decoding)",
        ParamValidators.gtEq(1), 1);
  }

  default S setBeamSize(int value) {
    return (S) set(beamSize(), value);
  }

  /**
   * Most tokens generated per translation ({@code <eos>} not counted); 0, or anything above maxTargetLength, means
   * maxTargetLength. Default 0.
   */
  default IntParam maxOutputLength() {
    return declaredParams().intParam("maxOutputLength", "most tokens generated per translation, <eos> not counted "
        + "(0 = maxTargetLength, which also caps it)", ParamValidators.gtEq(0), 0);
  }

  default S setMaxOutputLength(int value) {
    return (S) set(maxOutputLength(), value);
  }

  /**
   * GNMT's length penalty alpha of beam search (score {@code log P / ((5 + |Y|) / 6)^alpha}; 0 = none); unused by
   * greedy decoding. Default 0.6.
   */
  default DoubleParam lengthPenalty() {
    return declaredParams().doubleParam("lengthPenalty", "GNMT length penalty alpha of beam search (>= 0; 0 = "
        + "none; unused by greedy decoding)", ParamValidators.gtEq(0), 0.6);
  }

  default S setLengthPenalty(double value) {
    return (S) set(lengthPenalty(), value);
  }

  /** Target (reference translation) text column (string), read when fitting. Default {@code "target"}. */
  default Param<String> targetCol() {
    return declaredParams().stringParam("targetCol", "target text column, the reference translations (string); "
        + "read when fitting", "target");
  }

  default String getTargetCol() {
    return getOrDefault(targetCol());
  }

  /**
   * One vocabulary learned from sources and targets together, with one embedding table shared by encoder, decoder
   * and output projection (the paper's joint vocabulary; names, options and commands that both languages share
   * then have one embedding), or two vocabularies, one per side, with separate tables. Default true.
   */
  default BooleanParam sharedVocabulary() {
    return declaredParams().booleanParam("sharedVocabulary", "one vocabulary and embedding table for source and "
        + "target (true), or one per side (false)", true);
  }

  default boolean getSharedVocabulary() {
    return getBoolean(sharedVocabulary());
  }

  /** Longest source in tokens: longer training rows are skipped, longer sources to translate truncated. Default 64. */
  default IntParam maxSourceLength() {
    return declaredParams().intParam("maxSourceLength", "longest source in tokens: longer training rows are "
        + "skipped, longer sources to translate are truncated (>= 1)", ParamValidators.gtEq(1), 64);
  }

  /**
   * Longest target in tokens ({@code <eos>} not counted): longer training rows are skipped; also the most tokens a
   * translation can have. Default 64.
   */
  default IntParam maxTargetLength() {
    return declaredParams().intParam("maxTargetLength", "longest target in tokens, <eos> not counted: longer "
        + "training rows are skipped; also the longest translation (>= 1)", ParamValidators.gtEq(1), 64);
  }

  /** Label smoothing eps_ls of the training loss, in [0, 1). Default 0.1, the paper's. */
  default DoubleParam labelSmoothing() {
    return declaredParams().doubleParam("labelSmoothing", "label smoothing of the training loss, in [0, 1)",
        ParamValidators.inRange(0, 1, true, false), 0.1);
  }

  /** LayerNorm placement: {@code "pre"} (before each sub-layer) or {@code "post"} (the paper's). Default "pre". */
  default Param<String> normPlacement() {
    return declaredParams().choiceParam("normPlacement", "LayerNorm placement: 'pre' (before each sub-layer) or "
        + "'post' (after each residual sum, as the paper)", "pre", "pre", "post");
  }

  default String getNormPlacement() {
    return getOrDefault(normPlacement());
  }

  /** The translator's defaults where the families' differ. */
  @Override
  default ParamPair<?>[] familyDefaults() {
    return new ParamPair<?>[] {inputCol().w("source"), predictionCol().w("translation"), modelDim().w(128),
        dropout().w(0.1), maxIter().w(1000), stepSize().w(1e-3), warmupSteps().w(100), weightDecay().w(0.01),
        validationInterval().w(100)};
  }

  /**
   * The architecture for the given vocabulary sizes: ReLU feed-forward layers of width 4 * modelDim, biases, the
   * output projection tied to the target embedding, and source and target embeddings shared when
   * {@link #sharedVocabulary}. The decoder has maxTargetLength + 1 positions ({@code <bos>} + target).
   */
  default EncoderDecoderConfig encoderDecoderConfig(int sourceVocabSize, int targetVocabSize) {
    return EncoderDecoderConfig.of(sourceVocabSize, targetVocabSize, getInt(maxSourceLength()),
        getInt(maxTargetLength()) + 1, getInt(numLayers()), getInt(numHeads()), getInt(modelDim()))
        .withDropout(getDouble(dropout())).withLabelSmoothing(getDouble(labelSmoothing()))
        .withNormPlacement(NormPlacement.valueOf(getNormPlacement().toUpperCase(Locale.ROOT)))
        .withEmbeddings(getSharedVocabulary(), true);
  }

  /**
   * Checks the input (string) and, when {@code fitting}, the target (string) and validation indicator (boolean)
   * columns; appends the translation column (string).
   */
  @Override
  default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, schema, getInputCol());
    if (fitting) {
      Schemas.requireString(stage, schema, getTargetCol());
      requireValidationIndicatorCol(stage, schema);
    }
    return Schemas.append(stage, schema, getPredictionCol(), DataTypes.StringType, Metadata.empty());
  }

  /**
   * The setters of the Params only the estimator uses (the model's network and tokenizers are fixed).
   *
   * @param <S> the estimator, which the setters return
   */
  interface Setters<S> extends TransformerTranslatorParams<S>, HasArchitecture.Setters<S>,
      HasTokenizerMode.Setters<S>, HasValidationIndicatorCol.Setters<S> {
    default S setTargetCol(String value) {
      return (S) set(targetCol(), value);
    }

    default S setSharedVocabulary(boolean value) {
      return (S) set(sharedVocabulary(), value);
    }

    default S setMaxSourceLength(int value) {
      return (S) set(maxSourceLength(), value);
    }

    default S setMaxTargetLength(int value) {
      return (S) set(maxTargetLength(), value);
    }

    default S setLabelSmoothing(double value) {
      return (S) set(labelSmoothing(), value);
    }

    default S setNormPlacement(String value) {
      return (S) set(normPlacement(), value);
    }
  }
}
