package io.spindle.spark;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;

/**
 * The memory of stored gradients ({@link GradientBlock}): heap arrays of {@link #SIZE} bytes, lent to a block and
 * reused by a later one once Spark has removed the first from this JVM's block manager.
 *
 * <p>Why reuse: fresh memory is what a stored gradient costs most. On the 2-core development VM, allocating 200 MB
 * off the heap took about 800 ms (the kernel handing out and zeroing pages), and copying a gradient into memory
 * already in use 12 ms (docs/benchmarks.md, "Stored gradients"). Heap arrays rather than direct buffers, because
 * Spark frees a direct buffer when it removes a block, and ignores a heap one, so the arrays outlive their block;
 * the memory store counts the blocks as heap storage, which they are.
 *
 * <p>Free arrays are held softly: the collector may take them when the heap runs short, so a JVM that trained once
 * (a notebook's local session, a long-lived executor) does not keep a gradient's worth of arrays for good. In steady
 * state a JVM holds about one gradient per task slot, up to two while a step's blocks are being removed (Spark
 * removes a destroyed broadcast's blocks asynchronously).
 */
final class BlockChunks {
  /** Bytes per array: Spark's own piece size for broadcasts. */
  static final int SIZE = 4 << 20;

  private static final ArrayDeque<SoftReference<byte[]>> FREE = new ArrayDeque<>();
  private static final Map<BlockId, byte[][]> LENT = new HashMap<>();

  private BlockChunks() {}

  /** {@code count} arrays of {@link #SIZE} bytes for a block about to be stored; contents undefined. */
  static synchronized byte[][] take(int count, BlockManager blocks) {
    reclaim(blocks);
    byte[][] chunks = new byte[count][];
    for (int i = 0; i < count; i++) {
      while (chunks[i] == null && !FREE.isEmpty()) {
        chunks[i] = FREE.pop().get();
      }
      if (chunks[i] == null) {
        chunks[i] = new byte[SIZE];
      }
    }
    return chunks;
  }

  /** The arrays now hold block {@code id}: they stay lent until the block is gone from {@code blocks}. */
  static synchronized void lend(BlockId id, byte[][] chunks) {
    LENT.put(id, chunks);
  }

  /** Arrays taken for a block that was not stored: free again. */
  static synchronized void giveBack(byte[][] chunks) {
    for (byte[] c : chunks) {
      FREE.push(new SoftReference<>(c));
    }
  }

  /** Frees the arrays of every lent block that this JVM's block manager no longer holds. */
  private static void reclaim(BlockManager blocks) {
    LENT.entrySet().removeIf(e -> {
      if (blocks.getStatus(e.getKey()).isDefined()) {
        return false;
      }
      giveBack(e.getValue());
      return true;
    });
  }
}
