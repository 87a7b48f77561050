package io.spindle.ml;

import io.spindle.data.Special;
import io.spindle.data.TokenizerOptions;
import java.util.EnumSet;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * The Params shared by {@link SpindleTokenizer} and {@link SpindleTokenizerModel} (Java's form of MLlib's shared
 * params trait): the stage creates one {@link Declared} in its constructor, after its uid; the default methods
 * expose each Param as a public no-arg method, which is how {@code Params.params} finds them.
 */
public interface SpindleTokenizerParams extends Params {
  /** This stage's Param objects. */
  Declared declaredParams();

  /** Input column of text (string). Default {@code "text"}. */
  default Param<String> inputCol() {
    return declaredParams().inputCol;
  }

  /** Output column of token ids (array&lt;int&gt;). Default {@code "ids"}. */
  default Param<String> outputCol() {
    return declaredParams().outputCol;
  }

  /**
   * {@code "char"} (one token per code point), {@code "word"} (words and punctuation) or {@code "bpe"} (byte-level
   * byte-pair encoding, {@link io.spindle.data.BpeTokenizer}). Default {@code "char"}.
   */
  default Param<String> mode() {
    return declaredParams().mode;
  }

  /** A token enters the vocabulary only if it occurs at least this often (>= 1). Default 1. */
  default IntParam minCount() {
    return declaredParams().minCount;
  }

  /**
   * Largest vocabulary, the 4 special tokens included; for {@code "bpe"}, the size the merges grow the vocabulary to
   * (at least 260: the 256 bytes and the specials). 0 = no limit. Default
   * {@link TokenizerOptions#DEFAULT_MAX_VOCAB_SIZE} (32,000).
   */
  default IntParam maxVocabSize() {
    return declaredParams().maxVocabSize;
  }

  /** Whether text is lowercased before learning and encoding. Default false. */
  default BooleanParam lowercase() {
    return declaredParams().lowercase;
  }

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }

  default String getMode() {
    return getOrDefault(mode());
  }

  default int getMinCount() {
    return (Integer) getOrDefault(minCount());
  }

  default int getMaxVocabSize() {
    return (Integer) getOrDefault(maxVocabSize());
  }

  default boolean getLowercase() {
    return (Boolean) getOrDefault(lowercase());
  }

  /** The options these Params describe; the specials are always pad, unk, bos and eos. */
  default TokenizerOptions tokenizerOptions() {
    return new TokenizerOptions(EnumSet.allOf(Special.class), getMinCount(),
        getMaxVocabSize() == 0 ? TokenizerOptions.NO_LIMIT : getMaxVocabSize(), getLowercase());
  }

  /** Checks the input column is a string and appends the output column. */
  default StructType validateAndTransformSchema(StructType schema) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, schema, getInputCol());
    return Schemas.append(stage, schema, getOutputCol(), Schemas.IDS, Metadata.empty());
  }

  /** The Param objects of one stage, owned by it. */
  final class Declared {
    final Param<String> inputCol;
    final Param<String> outputCol;
    final Param<String> mode;
    final IntParam minCount;
    final IntParam maxVocabSize;
    final BooleanParam lowercase;

    /** Creates the Params of {@code owner}, whose uid must already be set. */
    Declared(Params owner) {
      inputCol = new Param<>(owner, "inputCol", "input column of text (string)");
      outputCol = new Param<>(owner, "outputCol", "output column of token ids (array<int>)");
      mode = new Param<>(owner, "mode", "tokenization: 'char' (one token per code point), 'word' (words and "
          + "punctuation) or 'bpe' (byte-level byte-pair encoding)",
          ParamValidators.inArray(new String[] {"char", "word", "bpe"}));
      minCount = new IntParam(owner, "minCount", "minimum count of a token to enter the vocabulary (>= 1)",
          ParamValidators.gtEq(1));
      maxVocabSize = new IntParam(owner, "maxVocabSize", "largest vocabulary, the 4 special tokens <pad> <unk> "
          + "<bos> <eos> included; for 'bpe', the size the merges grow it to (0 = no limit, else > 4; >= 260 for "
          + "'bpe')", ParamValidators.gtEq(0));
      lowercase = new BooleanParam(owner, "lowercase", "whether text is lowercased before learning and encoding");
    }

    /** Sets the defaults on {@code owner} (call after the owner holds this object). */
    void setDefaults(Params owner) {
      owner.setDefault(inputCol, "text");
      owner.setDefault(outputCol, "ids");
      owner.setDefault(mode, "char");
      owner.setDefault(minCount, 1);
      owner.setDefault(maxVocabSize, TokenizerOptions.DEFAULT_MAX_VOCAB_SIZE);
      owner.setDefault(lowercase, false);
    }
  }
}
