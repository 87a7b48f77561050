package io.spindle.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.spindle.data.BadInputException;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptMemory;
import io.spindle.tensor.Blas;
import io.spindle.tensor.Storage;
import java.lang.management.ManagementFactory;

/**
 * Checks, before anything is allocated, that what a command is about to build fits in this JVM, and refuses it
 * otherwise with one line naming the sizes, the limit and what to change. The estimates are {@link GptMemory}'s.
 *
 * <p>Two limits: tensors live off-heap under the native BLAS backend, bounded by {@code -XX:MaxDirectMemorySize}
 * (by default the heap limit, {@code -Xmx}), and on the heap under the Java one; everything else (texts, token ids,
 * the model's Java objects) lives on the heap. Of the heap, {@link #HEAP_SHARE} is counted as usable: the JVM and
 * Spark need the rest.
 */
final class MemoryCheck {
  static final double HEAP_SHARE = 0.8;
  private static final String RAISE = "raise the limit with SPINDLE_JAVA_OPTS=-Xmx<size>";

  /**
   * Heap bytes per byte of text that {@code train-lm} holds in this process: the bytes, their decoding, the string,
   * its token ids and the train/validation split of them.
   */
  static final int TRAINING_BYTES_PER_TEXT_BYTE = 14;
  /** The same for {@code score}: the bytes, their decoding, the string and its token ids. */
  static final int SCORING_BYTES_PER_TEXT_BYTE = 10;

  private MemoryCheck() {}

  /** Bytes the JVM lets tensors take. */
  static long tensorLimit() {
    return tensorsOffHeap() ? directLimit() : heapLimit();
  }

  /** Usable heap bytes. */
  static long heapLimit() {
    return (long) (HEAP_SHARE * Runtime.getRuntime().maxMemory());
  }

  /** The most bytes of text a command may read whose heap use is {@code bytesPerTextByte} per byte. */
  static long textLimit(int bytesPerTextByte, GptConfig model) {
    return Math.max(0, heapLimit() - (model == null ? 0 : GptMemory.heapBytes(model))) / bytesPerTextByte;
  }

  /** Why {@link #textLimit} is what it is, for the message of a text that exceeds it. */
  static String textLimitReason(int bytesPerTextByte, String alternative) {
    return "this command holds about " + bytesPerTextByte + " bytes of memory per byte of text, and this JVM's heap "
        + "is " + Sizes.bytes(Runtime.getRuntime().maxMemory()) + ": give a smaller text, " + RAISE
        + (alternative == null ? "" : ", or " + alternative);
  }

  /**
   * Refuses training {@code c} in this process with {@code batch} sequences per step in {@code microBatches} passes
   * on {@code threads} threads: parameters, gradients and AdamW's two moments, a replica (weights and gradients) per
   * extra thread, and the activations of the rows that are in flight at once (each thread's share of a micro-batch,
   * at least one row per thread).
   */
  static void inProcessTraining(GptConfig c, int batch, int microBatches, int threads) {
    int rows = (int) Math.min(batch, Math.max(threads, ((long) batch + microBatches - 1) / microBatches));
    checkTensors(c, rows, c.blockSize(), true);
    double params = 4.0 * GptMemory.parameters(c);
    double replicas = 4.0 * 2 * GptMemory.parameters(c) * (threads - 1);
    double activations = 4.0 * GptMemory.trainingActivations(c, rows);
    require(params * 4 + replicas + activations, "training this model", "its parameters with their "
        + "gradients and AdamW's moments (" + Sizes.bytes(params * 4) + ")"
        + (threads > 1 ? ", a replica per extra thread of --threads " + threads + " (" + Sizes.bytes(replicas) + ")"
            : "") + " and the activations of " + shape(c, rows) + (rows < batch ? " (--batch-size " + batch
            + " in " + microBatches + " micro-batches)" : "") + " (" + Sizes.bytes(activations) + ")",
        (threads > 1 ? "lower --batch-size, --block-size, --n-embd, --n-layer or --threads"
            : "lower --batch-size, --block-size, --n-embd or --n-layer") + ", or raise --micro-batches");
    checkHeap(c, 8.0 * batch * c.blockSize());
  }

  /**
   * Refuses training {@code c} on Spark with a global batch of {@code batch} sequences in {@code microBatches}
   * passes per task: the driver keeps parameters, gradients, AdamW's moments and the aggregation's buffers; in local
   * mode the executors share this JVM, so their replicas and the activations of the batch count too.
   */
  static void sparkTraining(GptConfig c, int batch, int microBatches, int partitions, boolean local) {
    int rows = (batch + microBatches - 1) / microBatches;
    checkTensors(c, rows, c.blockSize(), true);
    double params = 4.0 * GptMemory.parameters(c);
    double executors = local ? 2 * params * partitions : 0;
    double activations = local ? 4.0 * GptMemory.trainingActivations(c, rows) : 0;
    require(6 * params + executors + activations, "training this model on Spark",
        "the driver's parameters, gradients, AdamW's moments and aggregation buffers (" + Sizes.bytes(6 * params)
        + ")" + (local ? ", in local mode a replica per partition (" + Sizes.bytes(executors) + ") and the "
            + "activations of " + shape(c, rows) + (microBatches > 1 ? " (--batch-size " + batch + " in "
            + microBatches + " micro-batches)" : "") + " (" + Sizes.bytes(activations) + ")" : ""),
        "lower --batch-size, --block-size, --n-embd or --n-layer" + (local ? ", raise --micro-batches" : ""));
    checkHeap(c, 8.0 * batch * c.blockSize());
  }

  /**
   * Refuses loading {@code c} from a model folder: its parameters and their gradient buffer (a model is built with
   * both), and its Java objects on the heap.
   */
  static void loading(GptConfig c, Object source) {
    double params = 2 * 4.0 * GptMemory.parameters(c);
    require(params, "loading " + source, "its " + Sizes.count(GptMemory.parameters(c))
        + " parameters and their gradient buffer", "use a smaller model");
    checkHeap(c, 0);
  }

  /** Refuses scoring with {@code rows} windows of {@code time} positions per forward pass. */
  static void scoring(GptConfig c, long rows, long time) {
    checkTensors(c, rows, time, false);
    double params = 2 * 4.0 * GptMemory.parameters(c);
    double activations = 4.0 * GptMemory.inferenceActivations(c, rows, time);
    require(params + activations, "scoring", "the parameters (" + Sizes.bytes(params) + ") and "
        + "the activations of " + rows + " windows of " + time + " tokens per pass (" + Sizes.bytes(activations)
        + ")", "lower --batch-size");
  }

  /** Refuses generating from {@code c}: the parameters, the KV cache and a prefill of the block size. */
  static void generating(GptConfig c) {
    checkTensors(c, 1, c.blockSize(), false);
    double params = 2 * 4.0 * GptMemory.parameters(c);
    double cache = 4.0 * GptMemory.kvCache(c, 1);
    double activations = 4.0 * GptMemory.inferenceActivations(c, 1, c.blockSize());
    require(params + cache + activations, "generating", "the parameters (" + Sizes.bytes(params)
        + "), the KV cache of block_size " + c.blockSize() + " (" + Sizes.bytes(cache) + ") and a pass over it ("
        + Sizes.bytes(activations) + ")", "use a smaller model");
  }

  /** Refuses a pass whose largest tensor cannot be one storage. */
  private static void checkTensors(GptConfig c, long rows, long time, boolean training) {
    double largest = GptMemory.largestTensor(c, rows, time, training);
    if (largest > Storage.MAX_LENGTH) {
      throw new BadInputException(String.format("%s makes tensors of %s floats, more than one buffer holds "
          + "(%s floats, 2 GiB): lower %s", training ? shape(c, rows) : rows + " windows of " + time + " tokens",
          Sizes.count(largest), Sizes.count(Storage.MAX_LENGTH), training ? "--batch-size or --block-size"
              : "--batch-size"));
    }
  }

  /** Refuses a model whose Java objects, plus {@code otherBytes} of arrays, do not fit in the usable heap. */
  private static void checkHeap(GptConfig c, double otherBytes) {
    double heap = GptMemory.heapBytes(c) + otherBytes;
    require(heap, heapLimit(), false, "this model's " + c.numLayers() + " layers", "their Java objects on the heap",
        "lower --n-layer");
  }

  /** Refuses {@code bytes} of tensors beyond {@link #tensorLimit()}. */
  private static void require(double bytes, String what, String parts, String advice) {
    require(bytes, tensorLimit(), tensorsOffHeap(), what, parts, advice);
  }

  private static void require(double bytes, long limit, boolean offHeap, String what, String parts,
      String advice) {
    if (bytes > limit) {
      throw new BadInputException(what + " needs about " + Sizes.bytes(bytes) + " for " + parts + ", more "
          + "than the " + Sizes.bytes(limit) + " this JVM allows " + (offHeap ? "off-heap tensors" : "on its heap")
          + " (-Xmx " + Sizes.bytes(Runtime.getRuntime().maxMemory()) + "): " + advice + ", or " + RAISE);
    }
  }

  private static String shape(GptConfig c, long rows) {
    return "--batch-size " + rows + " x --block-size " + c.blockSize() + " x --n-embd " + c.embedDim()
        + " x --n-layer " + c.numLayers();
  }

  private static boolean tensorsOffHeap() {
    return Blas.get().prefersDirectMemory();
  }

  /** {@code -XX:MaxDirectMemorySize}, which defaults to the heap limit. */
  private static long directLimit() {
    long max = 0;
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      max = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
    } catch (RuntimeException notHotSpot) {
      // another JVM: assume the default
    }
    return max > 0 ? max : Runtime.getRuntime().maxMemory();
  }
}
