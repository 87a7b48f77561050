package io.spindle.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkEnv;
import org.apache.spark.network.buffer.ManagedBuffer;
import org.apache.spark.storage.BlockData;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.BroadcastBlockId;
import org.apache.spark.storage.ByteBufferBlockData;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.Option;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * A gradient stored as a block in the block manager of the executor that computed it, so that a task result or a
 * shuffled partial sum carries a reference of a few bytes instead of the elements ({@link GradientSum}'s writer
 * decides, {@link #worthStoring}).
 *
 * <p><b>Why.</b> A task result of hundreds of MB takes Spark's generic path: Kryo bytes, a Java-serialized
 * {@code DirectTaskResult} around them, a block in the block manager, a fetch by the driver (over loopback even in
 * local mode), a copy in {@code readExternal}, and a deserialized array; docs/benchmarks.md measured 2 to 5 s for
 * two 200 MB results. Stored here, a gradient is copied once into 4 MB arrays that earlier blocks used
 * ({@link BlockChunks}) and read once by whoever merges it: straight from the memory store when the block is local
 * (local mode, or a reducer on the same executor), through Spark's block transfer otherwise. Nothing of hundreds of
 * MB is allocated on the reader's heap except the sum itself (and on the driver not even that:
 * {@link GradientSum#sumInto}).
 *
 * <p><b>Lifetime.</b> The block is a field of the step's weights broadcast
 * ({@code broadcast_<id>_grad_<executor>_<n>}, n counting this JVM's blocks),
 * so destroying the broadcast at the end of the step removes it from every executor, also the blocks of failed or
 * speculative attempts that nobody read. Storage level {@code MEMORY_AND_DISK_SER}: under memory pressure the block
 * goes to the executor's local disk rather than fail.
 *
 * <p><b>Bytes.</b> The elements in little-endian order, float32 or, with bf16 compression, bfloat16
 * ({@link Bf16}): exactly the element bytes of {@link GradientSum}'s inline wire format, so the sums are the same
 * bits either way.
 *
 * <p><b>Failure.</b> A block whose executor was lost before the reader fetched it cannot be read: {@link #read}
 * throws {@link Lost}, and {@link DataParallelStep} runs the step's job again (a gradient is a pure function of the
 * weights, the step and the data).
 */
final class GradientBlock {
  /** The Spark setting that turns stored gradients off (then every gradient travels inline). Default true. */
  static final String ENABLED = "spark.spindle.gradientBlocks";
  /**
   * The Spark setting for the smallest gradient stored, in bytes (Spark's size syntax). Default 1m: smaller ones
   * travel inline, since Spark sends task results up to {@code spark.task.maxDirectResultSize} (1 MiB by default)
   * directly, which is cheaper than a block.
   */
  static final String MIN_BYTES = "spark.spindle.gradientBlocks.minBytes";
  private static final int WINDOW = 16 << 10; // floats per read window
  private static final AtomicLong SERIAL = new AtomicLong();
  /** The threads of {@link #readAll}: daemons, so they never keep a JVM alive. */
  private static final ExecutorService READERS = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "spindle-gradient-reader");
    t.setDaemon(true);
    return t;
  });

  private final String name;
  private final int length;
  private final boolean bf16;

  GradientBlock(String name, int length, boolean bf16) {
    this.name = name;
    this.length = length;
    this.bf16 = bf16;
  }

  String name() {
    return name;
  }

  int length() {
    return length;
  }

  boolean bf16() {
    return bf16;
  }

  /** Thrown when a stored gradient's block is gone (its executor was lost before the merge read it). */
  static final class Lost extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Lost(String message) {
      super(message);
    }
  }

  /**
   * Whether a gradient of {@code length} elements written now, under the step whose weights broadcast is
   * {@code broadcastId} (negative: unknown), should be stored: where Spark runs (a task's result, a shuffled partial
   * sum; Spark writes a task's result after the task, where {@code TaskContext} is gone), with blocks enabled
   * ({@link #ENABLED}), and of at least {@link #MIN_BYTES}.
   */
  static boolean worthStoring(long broadcastId, int length, boolean bf16) {
    SparkEnv env = SparkEnv.get();
    return broadcastId >= 0 && env != null
        && env.conf().getBoolean(ENABLED, true)
        && (long) length * (bf16 ? 2 : 4) >= env.conf().getSizeAsBytes(MIN_BYTES, "1m");
  }

  /** Stores {@code length} elements of {@code src} from {@code offset} as a block of the broadcast's; returns it. */
  static GradientBlock store(long broadcastId, FloatBuffer src, int offset, int length, boolean bf16) {
    int width = bf16 ? 2 : 4;
    long bytes = (long) length * width;
    int chunks = Math.toIntExact((bytes + BlockChunks.SIZE - 1) / BlockChunks.SIZE);
    BlockManager blocks = SparkEnv.get().blockManager();
    byte[][] memory = BlockChunks.take(chunks, blocks);
    ByteBuffer[] data = new ByteBuffer[chunks];
    int perChunk = BlockChunks.SIZE / width;
    for (int c = 0; c < chunks; c++) {
      int from = c * perChunk;
      int n = Math.min(perChunk, length - from);
      ByteBuffer chunk = ByteBuffer.wrap(memory[c], 0, n * width).slice().order(ByteOrder.LITTLE_ENDIAN);
      if (bf16) {
        Bf16.encode(src, offset + from, chunk, 0, n);
      } else {
        chunk.asFloatBuffer().put(0, src, offset + from, n);
      }
      data[c] = chunk;
    }
    BroadcastBlockId id = new BroadcastBlockId(broadcastId,
        // a block name's field may hold letters, digits and '_' only (Spark parses names with that pattern)
        "grad_" + SparkEnv.get().executorId().replaceAll("[^A-Za-z0-9]", "_") + "_" + SERIAL.incrementAndGet());
    if (!blocks.putBytes(id, new ChunkedByteBuffer(data), StorageLevel.MEMORY_AND_DISK_SER(), true,
        ClassTag$.MODULE$.Any())) {
      BlockChunks.giveBack(memory);
      throw new IllegalStateException("GradientBlock: the block manager refused " + id + " (" + bytes + " bytes)");
    }
    BlockChunks.lend(id, memory);
    return new GradientBlock(id.name(), length, bf16);
  }

  /**
   * Reads the elements into {@code target[offset..]}: copied ({@code add} false) or added element by element in
   * float ({@code target[i] += g[i]}, {@code add} true), the same operations as {@link GradientSum}'s sum of arrays.
   */
  void read(FloatBuffer target, int offset, boolean add) {
    read(target, offset, add, null);
  }

  /** The block's elements as a new array (read from wherever the block is). */
  float[] toArray() {
    float[] g = new float[length];
    read(FloatBuffer.wrap(g), 0, false);
    return g;
  }

  /**
   * Reads {@code blocks} into {@code target[offset..]} in their order, the first copied (unless {@code addFirst})
   * and the others added: the result of reading them one after the other, but the fetches of remote blocks overlap,
   * two at a time on two threads, while the writes into the target keep their order. At most two fetched blocks are
   * held at once.
   */
  static void readAll(List<GradientBlock> blocks, FloatBuffer target, int offset, boolean addFirst) {
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      GradientBlock block = blocks.get(i);
      boolean add = i > 0 || addFirst;
      CompletableFuture<Void> before = i == 0 ? null : reads.get(i - 1);
      reads.add(CompletableFuture.runAsync(() -> block.read(target, offset, add, before), READERS));
    }
    try {
      CompletableFuture.allOf(reads.toArray(new CompletableFuture<?>[0])).join();
    } catch (CompletionException e) {
      // every read has ended (a read after a failed one fails without writing); report the first failure, as its
      // own type, so that a Lost block stays a Lost block
      for (CompletableFuture<Void> read : reads) {
        if (read.isCompletedExceptionally()) {
          Throwable cause = read.handle((ok, failure) -> failure).join();
          while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
          }
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (cause instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(cause);
        }
      }
      throw e;
    }
  }

  /** {@link #read(FloatBuffer, int, boolean)}, writing only once {@code before} (if any) has completed. */
  private void read(FloatBuffer target, int offset, boolean add, CompletableFuture<Void> before) {
    BlockId id = BlockId.apply(name);
    BlockManager blocks = SparkEnv.get().blockManager();
    Option<BlockData> local = blocks.getLocalBytes(id);
    if (local.isDefined()) {
      try {
        if (before != null) {
          before.join();
        }
        if (local.get() instanceof ByteBufferBlockData memory) {
          readChunks(memory.buffer().getChunks(), target, offset, add);
        } else {
          readStream(local.get().toInputStream(), target, offset, add);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("GradientBlock: reading " + name, e);
      } finally {
        blocks.releaseLock(id, Option.empty());
      }
      return;
    }
    Option<Boolean> remote = blocks.getRemoteBlock(id, new AbstractFunction1<ManagedBuffer, Boolean>() {
      @Override
      public Boolean apply(ManagedBuffer data) { // runs once the block is fetched
        if (before != null) {
          before.join();
        }
        try {
          readStream(data.createInputStream(), target, offset, add);
          return true;
        } catch (IOException e) {
          throw new UncheckedIOException("GradientBlock: reading " + name, e);
        }
      }
    });
    if (remote.isEmpty()) {
      throw new Lost("GradientBlock: block " + name + " is gone (its executor was lost before the merge read it)");
    }
  }

  /** From the memory store's own chunks: no copy of the block. */
  private void readChunks(ByteBuffer[] chunks, FloatBuffer target, int offset, boolean add) {
    float[] window = bf16 ? new float[WINDOW] : null;
    int at = 0;
    for (ByteBuffer chunk : chunks) {
      ByteBuffer bytes = chunk.slice().order(ByteOrder.LITTLE_ENDIAN);
      int n = bytes.remaining() / (bf16 ? 2 : 4);
      if (at + n > length) {
        throw new IllegalStateException("GradientBlock: " + name + " holds more than " + length + " elements");
      }
      if (bf16) {
        for (int from = 0; from < n; from += WINDOW) {
          int m = Math.min(WINDOW, n - from);
          Bf16.decode(bytes, 2 * from, window, 0, m);
          copyOrAdd(FloatBuffer.wrap(window), 0, target, offset + at + from, m, add);
        }
      } else {
        copyOrAdd(bytes.asFloatBuffer(), 0, target, offset + at, n, add);
      }
      at += n;
    }
    if (at != length) {
      throw new IllegalStateException("GradientBlock: " + name + " holds " + at + " elements, expected " + length);
    }
  }

  /** From a stream (a block on disk, or fetched from another executor). */
  private void readStream(InputStream stream, FloatBuffer target, int offset, boolean add) throws IOException {
    int width = bf16 ? 2 : 4;
    byte[] bytes = new byte[WINDOW * width];
    ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] window = new float[WINDOW];
    try (InputStream in = stream) {
      for (int from = 0; from < length; from += WINDOW) {
        int m = Math.min(WINDOW, length - from);
        if (in.readNBytes(bytes, 0, m * width) != m * width) { // readNBytes loops until done or the end
          throw new IOException("GradientBlock: " + name + " ends before its " + length + " elements");
        }
        if (bf16) {
          Bf16.decode(view, 0, window, 0, m);
        } else {
          view.asFloatBuffer().get(0, window, 0, m);
        }
        copyOrAdd(FloatBuffer.wrap(window), 0, target, offset + from, m, add);
      }
    }
  }

  /**
   * {@code dst[dstOffset + i] = src[srcOffset + i]} ({@code add} false) or {@code dst[dstOffset + i] += src[srcOffset
   * + i]} in float (true), for i &lt; n: the one place where gradients are added on their way to the driver, in
   * windows of bulk copies so that heap and direct buffers alike go at memory speed.
   */
  static void copyOrAdd(FloatBuffer src, int srcOffset, FloatBuffer dst, int dstOffset, int n, boolean add) {
    if (!add) {
      dst.put(dstOffset, src, srcOffset, n);
      return;
    }
    float[] a = new float[Math.min(WINDOW, n)];
    float[] b = new float[a.length];
    for (int from = 0; from < n; from += WINDOW) {
      int m = Math.min(WINDOW, n - from);
      dst.get(dstOffset + from, a, 0, m);
      src.get(srcOffset + from, b, 0, m);
      for (int i = 0; i < m; i++) {
        a[i] += b[i];
      }
      dst.put(dstOffset + from, a, 0, m);
    }
  }

  @Override
  public String toString() {
    return "GradientBlock(" + name + ", " + length + (bf16 ? " bf16" : "") + ")";
  }
}
