package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Text lines to token id sequences, tokenized on the executors: the ids of the text
 * {@code String.join("\n", lines)}, one sequence per line (the line's ids, preceded by the newline's ids for every
 * line but the first), so the sequences concatenated in RDD order are exactly
 * {@code tokenizer.encode(String.join("\n", lines))}. That holds because no token spans a newline: a character
 * tokenizer maps each code point on its own, a word tokenizer's tokens never hold whitespace, and a BPE tokenizer
 * learned by Spindle cuts every line break out as a pre-token of its own ({@link io.spindle.data.PreTokenizer#LINES}).
 * (A BPE tokenizer read with GPT-2's pre-tokenizer may join a line's trailing whitespace with the newline, so there
 * the ids can differ around such line ends.)
 *
 * <p>The tokenizer travels once per executor as a broadcast of its {@code tokenizer.json} (a tokenizer is not
 * serialisable, and a word vocabulary can be large); each task parses it once. Finding the first line takes one
 * small job that reads only the head of partitions, until one holds a line. Unknown characters or words follow
 * {@link Tokenizer#encode}: {@code <unk>} if the tokenizer has it, else an {@link IllegalArgumentException}; a null
 * line is an {@link IllegalArgumentException} too.
 */
final class TextSequences {
  private TextSequences() {}

  /** The lazily tokenized sequences of {@code lines}, partitioned as {@code lines} is. */
  static JavaRDD<int[]> of(JavaRDD<String> lines, Tokenizer tokenizer) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lines.context());
    List<Integer> first = SparkJobs.run("finding the first line of the text", () -> lines
        .mapPartitionsWithIndex((Integer index, Iterator<String> it) -> it.hasNext()
            ? Collections.singletonList(index).iterator() : Collections.<Integer>emptyIterator(), false)
        .take(1));
    Broadcast<byte[]> json = jsc.broadcast(tokenizer.toBytes());
    return lines.mapPartitionsWithIndex(new Encoder(json, first.isEmpty() ? -1 : first.get(0)), true);
  }

  private static final class Encoder implements Function2<Integer, Iterator<String>, Iterator<int[]>> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> json;
    private final int firstPartition;

    Encoder(Broadcast<byte[]> json, int firstPartition) {
      this.json = json;
      this.firstPartition = firstPartition;
    }

    @Override
    public Iterator<int[]> call(Integer partition, Iterator<String> lines) {
      Tokenizer tokenizer = Tokenizer.fromBytes(json.value());
      return new Iterator<>() {
        private long line;
        private int[] separator;

        @Override
        public boolean hasNext() {
          return lines.hasNext();
        }

        @Override
        public int[] next() {
          String text = lines.next();
          if (text == null) {
            throw new BadInputException("training text: line " + line + " of partition " + partition
                + " is null");
          }
          boolean first = line++ == 0 && partition == firstPartition;
          int[] ids = tokenizer.encode(text);
          if (first) {
            return ids;
          }
          if (separator == null) {
            separator = tokenizer.encode(SparkVocabulary.LINE_SEPARATOR);
          }
          int[] joined = new int[separator.length + ids.length];
          System.arraycopy(separator, 0, joined, 0, separator.length);
          System.arraycopy(ids, 0, joined, separator.length, ids.length);
          return joined;
        }
      };
    }
  }
}
