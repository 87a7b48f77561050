package io.spindle.train;

/**
 * A part of a dataset of separate examples (labelled sequences, translation pairs, prompts), as
 * {@link ExampleObjective} draws them: the examples of one Spark partition, or all of them in one JVM.
 */
public interface ExamplePart extends DataPart {
  /** The number of examples the part holds. */
  int size();
}
