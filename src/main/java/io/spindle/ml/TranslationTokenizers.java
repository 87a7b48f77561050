package io.spindle.ml;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.data.WordTokenizer;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Learns the tokenizers of a {@link TransformerTranslator} on the driver from a two-column (source, target) dataset
 * of usable rows, streamed partition by partition ({@code toLocalIterator}), so driver memory holds one partition
 * and the counts, not the columns: one vocabulary over both columns when shared, else one per column (one pass
 * each). The texts travel as plain strings, which Spark's Kryo registrations already cover.
 */
final class TranslationTokenizers {
  private TranslationTokenizers() {}

  /** {source, target}; the same tokenizer twice when {@code shared}. */
  static Tokenizer[] learn(Dataset<Row> pairs, String mode, TokenizerOptions options, boolean shared) {
    JavaRDD<Row> rows = pairs.javaRDD();
    if (shared) {
      JavaRDD<String> both = rows.flatMap(r -> List.of(r.getString(0), r.getString(1)).iterator());
      Tokenizer tokenizer = learn(both, mode, options);
      return new Tokenizer[] {tokenizer, tokenizer};
    }
    Tokenizer source = learn(rows.map(r -> r.getString(0)), mode, options);
    Tokenizer target = learn(rows.map(r -> r.getString(1)), mode, options);
    return new Tokenizer[] {source, target};
  }

  private static Tokenizer learn(JavaRDD<String> texts, String mode, TokenizerOptions options) {
    Iterable<String> stream = texts::toLocalIterator;
    return mode.equals("word") ? WordTokenizer.learn(stream, options) : CharTokenizer.learn(stream, options);
  }
}
