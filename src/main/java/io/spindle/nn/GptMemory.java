package io.spindle.nn;

/**
 * Estimates of the memory a {@link Gpt} takes, for checking sizes against what a machine holds before allocating
 * anything. Tensor memory is counted in floats (off-heap under the native BLAS backend, on the heap under the Java
 * one); the Java objects that describe the model are counted in heap bytes.
 *
 * <p>The activation estimates are upper bounds fitted to what {@code Storage.bytesAllocated()} counts for one
 * forward (and backward) pass of this implementation, with the letters of the package comment (B rows, T positions,
 * C width, L layers, NH heads, V vocabulary): a training step keeps about {@code 45 L + 9} (B, T, C) tensors, the
 * logits and their gradient (B, T, V), and one (B, NH, T, T) attention matrix per layer; an inference pass allocates
 * about {@code 18 L + 4} (B, T, C) tensors and the logits, and frees them as it goes (so its bound is loose). The
 * test {@code GptMemoryTest} keeps them above the measured counts and within a small factor of them.
 */
public final class GptMemory {
  /** Heap bytes per transformer block for its parameters' names, views and modules (measured: about 5.4 KiB). */
  static final long HEAP_BYTES_PER_LAYER = 16 * 1024;

  private static final long SLACK_FLOATS = 1024;

  private GptMemory() {}

  /** Floats of the parameter values: {@link GptConfig#parameterCount()}. */
  public static long parameters(GptConfig c) {
    return c.parameterCount();
  }

  /**
   * Heap bytes the model's Java objects take besides its tensors (one entry per parameter and module, so
   * proportional to the number of layers); loading a model folder briefly needs about as much again.
   */
  public static long heapBytes(GptConfig c) {
    return HEAP_BYTES_PER_LAYER * c.numLayers();
  }

  /** Floats one training step's forward and backward keep for {@code rows} sequences of the block size. */
  public static double trainingActivations(GptConfig c, long rows) {
    double t = c.blockSize();
    double btc = rows * t * c.embedDim();
    return btc * (48.0 * c.numLayers() + 12) + 2.0 * rows * t * c.vocabSize()
        + (double) rows * c.numHeads() * t * t * c.numLayers() + SLACK_FLOATS;
  }

  /** Floats an inference pass (no gradients, no cache) over {@code rows} sequences of {@code time} positions takes. */
  public static double inferenceActivations(GptConfig c, long rows, long time) {
    double btc = (double) rows * time * c.embedDim();
    return btc * (20.0 * c.numLayers() + 4) + (double) rows * time * c.vocabSize() + (double) time * time
        + SLACK_FLOATS;
  }

  /** Floats of a {@link KvCache} for {@code rows} sequences: keys and values of every layer up to the block size. */
  public static double kvCache(GptConfig c, long rows) {
    return 2.0 * c.numLayers() * rows * c.blockSize() * c.embedDim();
  }

  /**
   * Floats of the largest single tensor a pass over {@code rows} sequences of {@code time} positions makes: the
   * MLP's hidden (B, T, 4C), the logits (B, T, V), or (training) one layer's attention matrix (B, NH, T, T). Each
   * must fit in one storage ({@code Storage.MAX_LENGTH}).
   */
  public static double largestTensor(GptConfig c, long rows, long time, boolean training) {
    double bt = (double) rows * time;
    double largest = Math.max(bt * 4 * c.embedDim(), bt * c.vocabSize());
    return training ? Math.max(largest, bt * c.numHeads() * time) : largest;
  }
}
