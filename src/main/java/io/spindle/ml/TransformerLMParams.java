package io.spindle.ml;

import io.spindle.nn.GptConfig;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * The Params of {@link TransformerLM} and {@link TransformerLMModel}: the text column, the tokenizer, the training
 * Params every family shares, the GPT's context length and held-out tail, and the scoring and generation columns.
 * {@link #gptConfig} is where they map onto the architecture.
 *
 * @param <S> the stage, which the setters of the Params both stages use return
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface TransformerLMParams<S> extends TrainingParams, HasArchitecture, HasInputCol<S>, HasTokenizerMode {
  /** Output: the perplexity of each row's text (double); empty = no such column. Default {@code "perplexity"}. */
  default Param<String> perplexityCol() {
    return declaredParams().stringParam("perplexityCol", "output column of each row's perplexity (double; null "
        + "for a null text or one of fewer than 2 tokens); empty for none", "perplexity");
  }

  default String getPerplexityCol() {
    return getOrDefault(perplexityCol());
  }

  default S setPerplexityCol(String value) {
    return (S) set(perplexityCol(), value);
  }

  /** Prompt column (string); when set, the model adds {@link #generatedCol()}. No default (no generation). */
  default Param<String> promptCol() {
    return declaredParams().stringParam("promptCol", "prompt column (string); when set, a generated continuation "
        + "is added for each row", null);
  }

  /** The prompt column, or null when none is set. */
  default String getPromptCol() {
    return isDefined(promptCol()) ? getOrDefault(promptCol()) : null;
  }

  default S setPromptCol(String value) {
    return (S) set(promptCol(), value);
  }

  /** Output: the text generated after each row's prompt (string). Default {@code "generated"}. */
  default Param<String> generatedCol() {
    return declaredParams().stringParam("generatedCol", "output column of the text generated after each prompt "
        + "(string; null for a null or empty prompt)", "generated");
  }

  default String getGeneratedCol() {
    return getOrDefault(generatedCol());
  }

  default S setGeneratedCol(String value) {
    return (S) set(generatedCol(), value);
  }

  /** Tokens generated per prompt. Default 100. */
  default IntParam maxNewTokens() {
    return declaredParams().intParam("maxNewTokens", "tokens generated per prompt (>= 0)", ParamValidators.gtEq(0),
        100);
  }

  default S setMaxNewTokens(int value) {
    return (S) set(maxNewTokens(), value);
  }

  /** Softmax temperature of generation; 0 = greedy. Default 0.8. */
  default DoubleParam temperature() {
    return declaredParams().doubleParam("temperature", "softmax temperature of generation (>= 0; 0 = greedy)",
        ParamValidators.gtEq(0), 0.8);
  }

  default S setTemperature(double value) {
    return (S) set(temperature(), value);
  }

  /** Sample among the k likeliest tokens; 0 = all. Default 0. */
  default IntParam topK() {
    return declaredParams().intParam("topK", "sample among the k likeliest tokens (>= 0; 0 = all)",
        ParamValidators.gtEq(0), 0);
  }

  default S setTopK(int value) {
    return (S) set(topK(), value);
  }

  /** Seeds generation, together with each prompt's tokens. Default 1337. */
  default LongParam generationSeed() {
    return declaredParams().longParam("generationSeed", "random seed of generation; each prompt's draws are "
        + "seeded by it and the prompt's tokens", 1337L);
  }

  default S setGenerationSeed(long value) {
    return (S) set(generationSeed(), value);
  }

  /** Context length T: the longest sequence the model sees, the length of training windows. Default 64. */
  default IntParam blockSize() {
    return declaredParams().intParam("blockSize", "context length: the longest sequence the model sees (>= 1)",
        ParamValidators.gtEq(1), 64);
  }

  /**
   * Share of the token stream's tail held out for validation, in [0, 1); 0 = no validation. Evaluations before the
   * last step score 20 batches of it, the last all of it. Default 0.05.
   */
  default DoubleParam validationFraction() {
    return declaredParams().doubleParam("validationFraction", "share of the token stream's tail (the last rows) "
        + "held out for validation, in [0, 1)", ParamValidators.inRange(0, 1, true, false), 0.05);
  }

  /** The held-out tail is the validation data. */
  @Override
  default String missingValidation() {
    return getDouble(validationFraction()) > 0 ? null : "validationFraction is 0";
  }

  /** The language model's defaults where the families' differ. */
  @Override
  default ParamPair<?>[] familyDefaults() {
    return new ParamPair<?>[] {inputCol().w("text"), modelDim().w(64), dropout().w(0.0), maxIter().w(300),
        stepSize().w(3e-3), warmupSteps().w(30), weightDecay().w(0.1), validationInterval().w(50)};
  }

  /** The GPT for a vocabulary of {@code vocab} tokens (biases on, as nanoGPT's default). */
  default GptConfig gptConfig(int vocab) {
    checkHeadsDivideWidth();
    return new GptConfig(vocab, getInt(blockSize()), getInt(numLayers()), getInt(numHeads()), getInt(modelDim()),
        getDouble(dropout()), true);
  }

  /**
   * Checks the text column (string) when {@code fitting} or when the perplexity column is wanted, and the prompt
   * column (string) when set; appends the perplexity (double) and generated (string) columns.
   */
  @Override
  default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    StructType out = schema;
    if (fitting || !getPerplexityCol().isEmpty()) {
      Schemas.requireString(stage, schema, getInputCol());
    }
    if (!getPerplexityCol().isEmpty()) {
      out = Schemas.append(stage, out, getPerplexityCol(), DataTypes.DoubleType, Metadata.empty());
    }
    if (isNonEmpty(promptCol())) {
      Schemas.requireString(stage, schema, getPromptCol());
      out = Schemas.append(stage, out, getGeneratedCol(), DataTypes.StringType, Metadata.empty());
    }
    return out;
  }

  /**
   * The setters of the Params only the estimator uses (the model's network and tokenizer are fixed).
   *
   * @param <S> the estimator, which the setters return
   */
  interface Setters<S> extends TransformerLMParams<S>, HasArchitecture.Setters<S>, HasTokenizerMode.Setters<S> {
    default S setBlockSize(int value) {
      return (S) set(blockSize(), value);
    }

    default S setValidationFraction(double value) {
      return (S) set(validationFraction(), value);
    }
  }
}
