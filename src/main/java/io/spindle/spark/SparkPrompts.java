package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.train.PromptChunk;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The prompts of reinforcement-learning fine-tuning on Spark: text lines, one prompt per line (empty lines skipped),
 * tokenized on the executors into one cached {@link PromptChunk} per input partition, with the global index of every
 * prompt (partition by partition, in input order). Building it runs one job that tokenizes every line, so a bad
 * prompt is reported before any training step: a character or word outside the model's vocabulary
 * ({@link Tokenizer#encodeStrict}), or no prompt at all, each a {@link BadInputException} naming the partition and
 * line. The tokenizer travels as a broadcast of its {@code tokenizer.json}, parsed once per task.
 */
public final class SparkPrompts extends IndexedParts<PromptChunk> {
  private SparkPrompts(JavaRDD<PromptChunk> chunks) {
    super(chunks, "prompts");
  }

  /** Tokenizes and caches the prompts of {@code lines} (one task per input partition). */
  public static SparkPrompts ofText(JavaRDD<String> lines, Tokenizer tokenizer) {
    Broadcast<byte[]> json = JavaSparkContext.fromSparkContext(lines.context()).broadcast(tokenizer.toBytes());
    return new SparkPrompts(gather(lines, (index, rows) -> encode(index, rows, Tokenizer.fromBytes(json.value()))));
  }

  /**
   * The prompts of {@code lines} as part {@code index}: each non-empty line's ids ({@link Tokenizer#encodeStrict}),
   * a {@link BadInputException} naming the part and line for one the tokenizer cannot encode. What each task does,
   * and what a trainer in this JVM does with all of the prompts as part 0.
   */
  public static PromptChunk encode(int index, Iterator<String> lines, Tokenizer tokenizer) {
    List<int[]> prompts = new ArrayList<>();
    for (long line = 0; lines.hasNext(); line++) {
      String text = lines.next();
      if (text == null || text.isEmpty()) {
        continue;
      }
      try {
        prompts.add(tokenizer.encodeStrict(text));
      } catch (IllegalArgumentException e) {
        throw new BadInputException("prompts: partition " + index + ", line " + line + ": " + e.getMessage());
      }
    }
    return new PromptChunk(index, prompts.toArray(new int[0][]));
  }
}
