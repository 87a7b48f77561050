package io.spindle.train;

import java.io.Serializable;

/**
 * One partition's prompts for reinforcement-learning fine-tuning (token id sequences, no labels), in the order of the
 * input partition; built and validated by {@code SparkPrompts} (or a trainer in this JVM, as one chunk), which knows
 * each chunk's global offset (the prompts of the partitions before it).
 *
 * @param index the partition's index
 * @param prompts each prompt's token ids, at least one each; not copied, treat as read-only
 */
public record PromptChunk(int index, int[][] prompts) implements ExamplePart, Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public int size() {
    return prompts.length;
  }
}
