package io.spindle.ml;

import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.spark.SparkVocabulary;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The tokenizers of a {@link TransformerTranslator}, the same object twice for a shared vocabulary, learned from a
 * two-column (source, target) dataset of usable rows with {@link SparkVocabulary}: token counts per partition on
 * the executors, merged on the driver, so no row reaches the driver. One vocabulary over both columns when shared,
 * else one per column (one job each).
 */
record TranslationTokenizers(Tokenizer source, Tokenizer target) {
  static TranslationTokenizers learn(Dataset<Row> pairs, String mode, TokenizerOptions options, boolean shared) {
    JavaRDD<Row> rows = pairs.javaRDD();
    if (shared) {
      JavaRDD<String> both = rows.flatMap(r -> List.of(r.getString(0), r.getString(1)).iterator());
      Tokenizer tokenizer = SparkVocabulary.learnFromDocuments(both, mode, options);
      return new TranslationTokenizers(tokenizer, tokenizer);
    }
    return new TranslationTokenizers(SparkVocabulary.learnFromDocuments(rows.map(r -> r.getString(0)), mode,
        options), SparkVocabulary.learnFromDocuments(rows.map(r -> r.getString(1)), mode, options));
  }
}
