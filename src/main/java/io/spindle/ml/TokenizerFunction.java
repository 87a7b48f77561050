package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.data.BadInputException;
import java.io.IOException;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Text to ids inside Spark tasks. Travels as the tokenizer's {@code tokenizer.json} bytes (small, and the tokenizer
 * itself is not serialisable); each deserialised copy, one per task, parses them once. Null text gives null ids, or
 * throws a {@link BadInputException} with the message given.
 */
final class TokenizerFunction implements UDF1<String, int[]> {
  private static final long serialVersionUID = 1L;

  private final byte[] json;
  private final String nullError;
  private transient Tokenizer tokenizer;

  /** Null text gives null ids. */
  TokenizerFunction(Tokenizer tokenizer) {
    this(tokenizer, null);
  }

  /** {@code nullError}: the message of the error a null text is, or null to give it null ids. */
  TokenizerFunction(Tokenizer tokenizer, String nullError) {
    this.json = tokenizer.toBytes();
    this.nullError = nullError;
  }

  @Override
  public int[] call(String text) throws IOException {
    if (text == null && nullError != null) {
      throw new BadInputException(nullError);
    }
    if (text == null) {
      return null;
    }
    if (tokenizer == null) {
      tokenizer = Tokenizer.fromBytes(json);
    }
    return tokenizer.encode(text);
  }
}
