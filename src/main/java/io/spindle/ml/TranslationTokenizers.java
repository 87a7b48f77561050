package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.spark.SparkVocabulary;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Learns the tokenizers of a {@link TransformerTranslator} from a two-column (source, target) dataset of usable
 * rows with {@link SparkVocabulary}: token counts per partition on the executors, merged on the driver, so no row
 * reaches the driver. One vocabulary over both columns when shared, else one per column (one job each).
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
    return SparkVocabulary.learnFromDocuments(texts, mode, options);
  }
}
