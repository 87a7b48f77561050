package io.spindle.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  @Test
  void defaultIsOneThreadOnTheCaller() {
    assertEquals(1, before, "op threads are opt-in: 1 unless spindle.op.threads is set");
    Parallel.setThreads(1);
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    Parallel.forRange(1000, 1, (chunk, from, to) -> {
      assertEquals(0, chunk);
      assertEquals(0, from);
      assertEquals(1000, to);
      seen.add(Thread.currentThread());
    });
    assertEquals(Set.of(Thread.currentThread()), seen);
  }

  @Test
  void everyIndexExactlyOnceInDistinctChunks() {
    Parallel.setThreads(3);
    for (int n : new int[] {0, 1, 2, 5, 1000, 1001}) {
      AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
      Set<Integer> chunks = ConcurrentHashMap.newKeySet();
      Parallel.forRange(n, 1, (chunk, from, to) -> {
        assertTrue(chunks.add(chunk), "chunk " + chunk + " ran twice");
        for (int i = from; i < to; i++) {
          hits.incrementAndGet(i);
        }
      });
      for (int i = 0; i < n; i++) {
        assertEquals(1, hits.get(i), "n = " + n + ", index " + i);
      }
      assertEquals(Parallel.chunks(n, 1), chunks.size());
    }
    assertEquals(1, Parallel.chunks(100, 60), "a chunk holds at least the grain");
    assertEquals(3, Parallel.chunks(100, 1));
  }

  /** An {@link Error} of a task's own, to tell it from the test framework's assertion errors. */
  private static final class TaskError extends Error {
    TaskError(String message) {
      super(message);
    }
  }

  @Test
  void runAllRethrowsAWorkersErrorAsItIsOnceEveryTaskHasFinished() {
    ExecutorService workers = Executors.newFixedThreadPool(2);
    try {
      AtomicIntegerArray done = new AtomicIntegerArray(3);
      TaskError e = assertThrows(TaskError.class, () -> Parallel.runAll(workers, 3, i -> {
        if (i == 1) {
          throw new TaskError("task 1 failed");
        }
        if (i == 2) {
          LockSupport.parkNanos(50_000_000L); // still running when task 1 has failed
        }
        done.set(i, 1);
      }, "interrupted"));
      assertEquals("task 1 failed", e.getMessage());
      assertEquals(1, done.get(0));
      assertEquals(1, done.get(2));
    } finally {
      workers.shutdownNow();
    }
  }

  @Test
  void runAllPrefersTheCallersFailureToTheWorkers() {
    ExecutorService workers = Executors.newFixedThreadPool(1);
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.runAll(workers, 2, i -> {
        throw new IllegalStateException("task " + i + " failed");
      }, "interrupted"));
      assertEquals("task 0 failed", e.getMessage());
    } finally {
      workers.shutdownNow();
    }
  }

  @Test
  void aFailingChunkFailsTheLoopAfterAllChunksFinish() {
    Parallel.setThreads(2);
    AtomicIntegerArray done = new AtomicIntegerArray(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(10, 1,
        (chunk, from, to) -> {
          done.set(chunk, 1);
          if (chunk == 1) {
            throw new IllegalStateException("chunk 1 failed");
          }
        }));
    assertEquals("chunk 1 failed", e.getMessage());
    assertEquals(1, done.get(0));
    assertEquals(1, done.get(1));
  }

  @Test
  void badThreadCountIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    assertTrue(e.getMessage().contains("0"), e.getMessage());
  }
}
