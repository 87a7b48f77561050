package io.spindle.ml;

import io.spindle.data.Tokenizer;
import java.io.IOException;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Text to ids inside Spark tasks. Travels as the tokenizer's {@code tokenizer.json} bytes (small, and the tokenizer
 * itself is not serialisable); each deserialised copy, one per task, parses them once. Null text gives null ids.
 */
final class TokenizerFunction implements UDF1<String, int[]> {
  private static final long serialVersionUID = 1L;

  private final byte[] json;
  private transient Tokenizer tokenizer;

  TokenizerFunction(Tokenizer tokenizer) {
    this.json = tokenizer.toBytes();
  }

  @Override
  public int[] call(String text) throws IOException {
    if (text == null) {
      return null;
    }
    if (tokenizer == null) {
      tokenizer = Tokenizer.fromBytes(json);
    }
    return tokenizer.encode(text);
  }
}
