package io.spindle.ml;

import io.spindle.data.TokenizerOptions;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * The Params of {@link SpindleTokenizer} and {@link SpindleTokenizerModel}: the text and ids columns, and how the
 * vocabulary is learned ({@link HasTokenizerOptions}, shared with the stages that learn their own tokenizer).
 *
 * @param <S> the stage, which the setters of the columns both stages have return
 */
@SuppressWarnings("unchecked") // the setters return this stage as S, its own type
public interface SpindleTokenizerParams<S> extends HasInputCol<S>, HasTokenizerOptions {
  /** Output column of token ids (array&lt;int&gt;). Default {@code "ids"}. */
  default Param<String> outputCol() {
    return declaredParams().stringParam("outputCol", "output column of token ids (array<int>)", "ids");
  }

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }

  default S setOutputCol(String value) {
    return (S) set(outputCol(), value);
  }

  /**
   * {@code "char"} (one token per code point), {@code "word"} (words and punctuation) or {@code "bpe"} (byte-level
   * byte-pair encoding, {@link io.spindle.data.BpeTokenizer}; {@link #maxVocabSize()} is then the size the merges
   * grow the vocabulary to, at least 260: the 256 bytes and the specials). Default {@code "char"}.
   */
  default Param<String> mode() {
    return declaredParams().choiceParam("mode", "tokenization: 'char' (one token per code point), 'word' (words "
        + "and punctuation) or 'bpe' (byte-level byte-pair encoding)", "char", "char", "word", "bpe");
  }

  default String getMode() {
    return getOrDefault(mode());
  }

  /**
   * What {@code transform} does with a row whose text is null: {@code "keep"} gives it null ids, {@code "skip"}
   * drops the row, {@code "error"} fails naming the input column. MLlib's {@code handleInvalid}. Default
   * {@code "keep"} (a classifier's fit then skips and counts such rows).
   */
  default Param<String> handleInvalid() {
    return declaredParams().choiceParam("handleInvalid", "rows whose text is null: 'keep' (null ids), 'skip' (drop "
        + "the row) or 'error'", "keep", "keep", "skip", "error");
  }

  default String getHandleInvalid() {
    return getOrDefault(handleInvalid());
  }

  default S setHandleInvalid(String value) {
    return (S) set(handleInvalid(), value);
  }

  /** Whether text is lowercased before learning and encoding. Default false. */
  default BooleanParam lowercase() {
    return declaredParams().booleanParam("lowercase", "whether text is lowercased before learning and encoding",
        false);
  }

  default boolean getLowercase() {
    return getBoolean(lowercase());
  }

  /** The text column's default, {@code "text"}. */
  @Override
  default ParamPair<?>[] familyDefaults() {
    return new ParamPair<?>[] {inputCol().w("text")};
  }

  /** {@link HasTokenizerOptions#tokenizerOptions()}, lowercasing when {@link #lowercase()} says so. */
  @Override
  default TokenizerOptions tokenizerOptions() {
    return HasTokenizerOptions.super.tokenizerOptions().withLowercase(getLowercase());
  }

  /** Checks the input column is a string and appends the output column. */
  default StructType validateAndTransformSchema(StructType schema) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, schema, getInputCol());
    return Schemas.append(stage, schema, getOutputCol(), Schemas.IDS, Metadata.empty());
  }

  /**
   * The setters of the Params only the estimator uses (the model's vocabulary is fixed).
   *
   * @param <S> the estimator, which the setters return
   */
  interface Setters<S> extends SpindleTokenizerParams<S>, HasTokenizerOptions.Setters<S> {
    default S setMode(String value) {
      return (S) set(mode(), value);
    }

    default S setLowercase(boolean value) {
      return (S) set(lowercase(), value);
    }
  }
}
