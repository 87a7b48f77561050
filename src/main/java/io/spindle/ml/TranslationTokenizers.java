package io.spindle.ml;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.data.WordTokenizer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Learns the tokenizers of a {@link TransformerTranslator} on the driver from a two-column (source, target) dataset
 * of usable rows, streamed partition by partition ({@code toLocalIterator}), so driver memory holds one partition
 * and the counts, not the columns: one vocabulary over both columns when shared, else one per column (one pass each).
 */
final class TranslationTokenizers {
  private TranslationTokenizers() {}

  /** {source, target}; the same tokenizer twice when {@code shared}. */
  static Tokenizer[] learn(Dataset<Row> pairs, String mode, TokenizerOptions options, boolean shared) {
    if (shared) {
      Tokenizer both = learn(() -> new Texts(pairs.toLocalIterator(), true, true), mode, options);
      return new Tokenizer[] {both, both};
    }
    Tokenizer source = learn(() -> new Texts(pairs.toLocalIterator(), true, false), mode, options);
    Tokenizer target = learn(() -> new Texts(pairs.toLocalIterator(), false, true), mode, options);
    return new Tokenizer[] {source, target};
  }

  private static Tokenizer learn(Iterable<String> texts, String mode, TokenizerOptions options) {
    return mode.equals("word") ? WordTokenizer.learn(texts, options) : CharTokenizer.learn(texts, options);
  }

  /** The texts of the chosen columns of (source, target) rows, row by row, source first. */
  private static final class Texts implements Iterator<String> {
    private final Iterator<Row> rows;
    private final boolean sources;
    private final boolean targets;
    private String pendingTarget;

    Texts(Iterator<Row> rows, boolean sources, boolean targets) {
      this.rows = rows;
      this.sources = sources;
      this.targets = targets;
    }

    @Override
    public boolean hasNext() {
      return pendingTarget != null || rows.hasNext();
    }

    @Override
    public String next() {
      if (pendingTarget != null) {
        String t = pendingTarget;
        pendingTarget = null;
        return t;
      }
      if (!rows.hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = rows.next();
      if (sources && targets) {
        pendingTarget = r.getString(1);
        return r.getString(0);
      }
      return r.getString(sources ? 0 : 1);
    }
  }
}
