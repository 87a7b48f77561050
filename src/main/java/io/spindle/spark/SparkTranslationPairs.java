package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.train.PairChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TranslationObjective;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * A translation training set on Spark: the input RDD's partitions, each gathered into one cached {@link PairChunk},
 * with the global index of every pair (partition by partition, in input order). Building it runs one job that
 * validates every pair, so bad data is reported before any training step: an empty dataset, a missing or empty
 * source, a missing target, an id outside its vocabulary, each naming the partition and row.
 */
public final class SparkTranslationPairs extends IndexedParts<PairChunk> {
  private final int sourceVocabSize;
  private final int targetVocabSize;

  private SparkTranslationPairs(JavaRDD<PairChunk> chunks, int sourceVocabSize,
      int targetVocabSize) {
    super(chunks, "translation pairs");
    this.sourceVocabSize = sourceVocabSize;
    this.targetVocabSize = targetVocabSize;
  }

  /** Validates and caches {@code pairs} (one task per input partition). */
  public static SparkTranslationPairs of(JavaRDD<TranslationPair> pairs, int sourceVocabSize, int targetVocabSize) {
    if (sourceVocabSize < 1 || targetVocabSize < 1) {
      throw new BadInputException("translation pairs: vocabulary sizes must be >= 1, got source "
          + sourceVocabSize + " and target " + targetVocabSize);
    }
    return new SparkTranslationPairs(gather(pairs, (index, rows) -> chunk(index, rows, sourceVocabSize,
        targetVocabSize)), sourceVocabSize, targetVocabSize);
  }

  private static PairChunk chunk(int index, Iterator<TranslationPair> rows, int sourceVocabSize,
      int targetVocabSize) {
    List<int[]> sources = new ArrayList<>();
    List<int[]> targets = new ArrayList<>();
    while (rows.hasNext()) {
      TranslationPair p = rows.next();
      String where = "translation pairs: partition " + index + ", row " + sources.size();
      if (p == null || p.source() == null || p.source().length == 0) {
        throw new BadInputException(where + ": no source ids (null or empty sequence)");
      }
      if (p.target() == null) {
        throw new BadInputException(where + ": no target ids (null)");
      }
      checkIds(where, "source", p.source(), sourceVocabSize);
      checkIds(where, "target", p.target(), targetVocabSize);
      sources.add(p.source());
      targets.add(p.target());
    }
    return new PairChunk(index, sources.toArray(new int[0][]), targets.toArray(new int[0][]));
  }

  private static void checkIds(String where, String side, int[] ids, int vocabSize) {
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] < 0 || ids[t] >= vocabSize) {
        throw new BadInputException(where + ": " + side + " id " + ids[t] + " at position " + t
            + " outside the " + side + " vocabulary [0, " + vocabSize + ")");
      }
    }
  }

  /**
   * The objective of training a model of {@code model} with {@code training} on these pairs, batches built with the
   * specials of the tokenizers; throws naming both when the pairs were checked for larger vocabularies.
   */
  public TranslationObjective objective(EncoderDecoderConfig model, Tokenizer source, Tokenizer target,
      TrainingConfig training) {
    if (sourceVocabSize > model.sourceVocabSize() || targetVocabSize > model.targetVocabSize()) {
      throw new IllegalArgumentException("translation pairs were checked for source vocabulary " + sourceVocabSize
          + " and target vocabulary " + targetVocabSize + "; the model has source_vocab_size "
          + model.sourceVocabSize() + " and target_vocab_size " + model.targetVocabSize());
    }
    return TranslationObjective.of(model, source, target, training.seed(), training.batchSize(), offsets(),
        count());
  }

  public int sourceVocabSize() {
    return sourceVocabSize;
  }

  public int targetVocabSize() {
    return targetVocabSize;
  }

}
