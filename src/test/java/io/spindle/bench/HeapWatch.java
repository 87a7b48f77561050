package io.spindle.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The peak memory of this JVM while a run lasts: heap in use (including garbage not yet collected), the live heap
 * (what the collections of the run left), and direct buffers (off-heap tensor storage under native BLAS).
 *
 * <p>Heap in use only grows between collections, so its peak is what a collection's notification reports as the
 * heap just before it collected, or, after the last collection, the reading {@link #stop()} takes; the live heap is
 * the largest heap use right after a collection (-1 when none ran). Spindle's tensors are direct buffers that their
 * cleaners free after a collection, so the notifications and the last reading catch their peak too; a sampler thread
 * also reads both every {@value #SAMPLE_MILLIS} ms, for direct memory that something frees on its own. It read every
 * 5 ms before, 200 wake-ups a second during the Spark runs only; the notifications make that unnecessary, and the
 * bench should take as little as it can from the tasks (table 1 did not move measurably, docs/benchmarks.md, "Config
 * A at the 0.9 boundary"). Order of use: {@link #start()} right before the run (it collects the garbage of earlier
 * runs first), {@link #stop()} right after.
 */
final class HeapWatch {
  private static final long SAMPLE_MILLIS = 200;

  /**
   * Peaks in bytes.
   *
   * @param heapUsed the most heap in use at any moment, garbage included
   * @param heapLive the most heap in use right after a collection, -1 if none ran
   * @param direct the most memory in direct buffers
   */
  record Peak(long heapUsed, long heapLive, long direct) {}

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final BufferPoolMXBean directPool = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
      .filter(p -> p.getName().equals("direct")).findFirst().orElse(null);
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener onCollection = this::collected;
  private final Thread sampler = new Thread(this::sample, "spindle heap watch");
  private volatile boolean running = true;
  private long heapUsed;
  private long heapLive = -1;
  private long direct;

  private HeapWatch() {}

  /** Collects garbage, then watches until {@link #stop()}. */
  static HeapWatch start() {
    System.gc();
    HeapWatch w = new HeapWatch();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(w.onCollection, null, null);
        w.emitters.add(emitter);
      }
    }
    w.sampler.setDaemon(true);
    w.sampler.start();
    return w;
  }

  /** Stops watching and returns the peaks. */
  Peak stop() {
    running = false;
    sampler.interrupt();
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping the heap watch", e);
    }
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(onCollection);
      } catch (ListenerNotFoundException e) {
        throw new IllegalStateException("heap watch listener vanished from " + emitter, e);
      }
    }
    record();
    synchronized (this) {
      return new Peak(heapUsed, heapLive, direct);
    }
  }

  private void sample() {
    while (running) {
      record();
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return; // stop() interrupts the sleep; it takes the last reading itself
      }
    }
  }

  private synchronized void record() {
    heapUsed = Math.max(heapUsed, memory.getHeapMemoryUsage().getUsed());
    if (directPool != null) {
      direct = Math.max(direct, directPool.getMemoryUsed());
    }
  }

  private void collected(Notification n, Object handback) {
    if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
    long before = heapSum(info.getMemoryUsageBeforeGc());
    long after = heapSum(info.getMemoryUsageAfterGc());
    synchronized (this) {
      heapUsed = Math.max(heapUsed, before);
      heapLive = Math.max(heapLive, after);
      if (directPool != null) {
        direct = Math.max(direct, directPool.getMemoryUsed());
      }
    }
  }

  /** Heap in use over the pools of a collection's report (the heap pools: every pool but the non-heap ones). */
  private static long heapSum(Map<String, MemoryUsage> pools) {
    long sum = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = pools.get(pool.getName());
      if (u != null && pool.getType() == java.lang.management.MemoryType.HEAP) {
        sum += u.getUsed();
      }
    }
    return sum;
  }
}
