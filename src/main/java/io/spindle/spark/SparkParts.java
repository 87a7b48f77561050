package io.spindle.spark;

import io.spindle.train.DataPart;
import org.apache.spark.api.java.JavaRDD;

/**
 * A dataset on Spark as the trainer reads it: cached parts, one per partition, and their total size in the
 * objective's unit (tokens of a stream, examples, pairs). Built and validated by {@link SparkTokenStream},
 * {@link SparkExamples} and {@link SparkTranslationPairs}.
 */
public interface SparkParts<D extends DataPart> {
  /** The parts, one per partition, cached. */
  JavaRDD<D> parts();

  /** Tokens, examples or pairs in all parts together. */
  long size();

  /** Partitions, and hence tasks per training step. */
  default int partitions() {
    return parts().getNumPartitions();
  }
}
