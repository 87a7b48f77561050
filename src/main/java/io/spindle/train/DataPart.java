package io.spindle.train;

/**
 * A part of a training or validation dataset: one Spark partition's chunk, or the whole data in one JVM. Its index
 * keys its gradient in a deterministic sum and places it in the data's global layout.
 */
public interface DataPart {
  /** The part's index, 0-based, in data order (its Spark partition). */
  int index();
}
