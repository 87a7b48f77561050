package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.BpeTokenizer;
import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.data.WordTokenizer;
import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;

/**
 * Learns a character, word or BPE tokenizer from an RDD of text lines without bringing the text to the driver: each
 * partition counts its tokens on an executor ({@link CharTokenizer#count}, {@link WordTokenizer#count}, or for BPE
 * the pre-tokens, {@link BpeTokenizer#count}), the per-partition counts are summed ({@code treeReduce}, the last
 * merges on the driver), and the driver builds the tokenizer from the sums with the very rule of in-process learning
 * ({@code fromCounts}: for BPE, the merges are learned there from the pre-token counts).
 *
 * <p>The lines stand for the text {@code String.join("\n", lines)} (the text {@link SparkTokenStream#fromText}
 * tokenizes), so the newlines between lines are counted too: the learned tokenizer equals
 * {@code CharTokenizer.learn(List.of(String.join("\n", lines)), options)} (likewise for words, where newlines count
 * for nothing, and for BPE, whose pre-tokenizer makes every line break a pre-token of its own). A null line is an
 * {@link IllegalArgumentException}.
 */
public final class SparkVocabulary {
  /** The separator between consecutive lines of a text corpus. */
  public static final String LINE_SEPARATOR = "\n";

  private SparkVocabulary() {}

  /**
   * Learns a tokenizer of {@code type} ({@code "char"}, {@code "word"} or {@code "bpe"}, as {@link Tokenizer#type()}
   * names them)
   * from {@code lines} with {@code options}. Runs one Spark job. Throws {@link IllegalArgumentException} for another
   * type, an RDD without lines, or a null line.
   */
  public static Tokenizer learn(JavaRDD<String> lines, String type, TokenizerOptions options) {
    return learn(lines, type, options, true);
  }

  /**
   * Learns a tokenizer as {@link #learn} does from texts that are separate documents (a column's rows, say), not
   * the lines of one text: no line separator is counted between them, and no texts at all give a tokenizer of the
   * specials alone (for BPE, the specials and the 256 bytes). A null text is an error, as a null line is.
   */
  public static Tokenizer learnFromDocuments(JavaRDD<String> texts, String type, TokenizerOptions options) {
    return learn(texts, type, options, false);
  }

  private static Tokenizer learn(JavaRDD<String> lines, String type, TokenizerOptions options, boolean joined) {
    if (!"char".equals(type) && !"word".equals(type) && !"bpe".equals(type)) {
      throw new BadInputException("tokenizer type must be 'char', 'word' or 'bpe', got '" + type + "'");
    }
    if (lines.getNumPartitions() == 0) {
      if (joined) {
        throw new BadInputException("learning a vocabulary: the text has no lines (no partitions)");
      }
      return fromCounts(type, new HashMap<>(), options);
    }
    Counts total = SparkJobs.run("counting the tokens of the text",
        () -> lines.mapPartitionsWithIndex((index, it) -> Collections.singletonList(
            Counts.of(type, index, it, options)).iterator(), false).treeReduce(Counts::mergeInto, 2));
    if (total.lines == 0 && joined) {
      throw new BadInputException("learning a vocabulary: the text has no lines ("
          + lines.getNumPartitions() + " empty partition(s))");
    }
    if (joined) {
      Map<String, Long> separators = count(type, List.of(LINE_SEPARATOR), options);
      for (Map.Entry<String, Long> e : separators.entrySet()) {
        total.counts.merge(e.getKey(), e.getValue() * (total.lines - 1), Long::sum);
      }
    }
    return fromCounts(type, total.counts, options);
  }

  private static Tokenizer fromCounts(String type, Map<String, Long> counts, TokenizerOptions options) {
    return switch (type) {
      case "char" -> CharTokenizer.fromCounts(counts, options);
      case "word" -> WordTokenizer.fromCounts(counts, options);
      default -> BpeTokenizer.fromCounts(counts, options);
    };
  }

  private static Map<String, Long> count(String type, Iterable<String> texts, TokenizerOptions options) {
    return switch (type) {
      case "char" -> CharTokenizer.count(texts, options);
      case "word" -> WordTokenizer.count(texts, options);
      default -> BpeTokenizer.count(texts, options);
    };
  }

  /** One partition's token counts and number of lines; merged by summing (the one object that crosses the wire). */
  static final class Counts implements Serializable {
    private static final long serialVersionUID = 1L;

    final HashMap<String, Long> counts;
    final long lines;

    Counts(HashMap<String, Long> counts, long lines) {
      this.counts = counts;
      this.lines = lines;
    }

    static Counts of(String type, int partition, Iterator<String> lines, TokenizerOptions options) {
      long[] seen = {0};
      Iterable<String> checked = () -> new Iterator<>() {
        @Override
        public boolean hasNext() {
          return lines.hasNext();
        }

        @Override
        public String next() {
          String line = lines.next();
          if (line == null) {
            throw new BadInputException("learning a vocabulary: line " + seen[0] + " of partition "
                + partition + " is null");
          }
          seen[0]++;
          return line;
        }
      };
      return new Counts(new HashMap<>(count(type, checked, options)), seen[0]);
    }

    /** Adds {@code b} into {@code a}'s map (a is this task's own object, so mutating it is safe) and returns it. */
    static Counts mergeInto(Counts a, Counts b) {
      b.counts.forEach((token, n) -> a.counts.merge(token, n, Long::sum));
      return new Counts(a.counts, a.lines + b.lines);
    }
  }
}
