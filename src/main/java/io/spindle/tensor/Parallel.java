package io.spindle.tensor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Intra-op parallelism for the element kernels (GELU, LayerNorm, attention's per-head loop, AdamW): opt-in and off
 * by default, because Spark runs one task per core and a task that spread over more cores would only compete with its
 * neighbours. A single-process trainer on a machine of its own may turn it on.
 *
 * <p>Settings, read once on first use (a system property wins over the environment variable):
 * {@code spindle.op.threads} / {@code SPINDLE_OP_THREADS}, the threads an op may use including the caller's, default
 * 1; {@link #setThreads} changes it later. BLAS has its own setting ({@code spindle.blas.threads}, see
 * {@link Blas}); a trainer that wants two cores sets both to 2.
 *
 * <p>With 1 thread {@link #forRange} simply runs the body on the caller's thread, so nothing is created. With more,
 * a fixed pool of daemon worker threads (threads - 1 of them; the caller does one share of the work itself) is made
 * on first use and kept for the life of the JVM. Bodies run concurrently, so they must write disjoint data, must not
 * allocate from a graph's {@link Arena} (not thread-safe), and each uses its own thread's {@link Scratch} arrays.
 * A parallel loop inside a share of another runs serially on that share's thread, so loops never nest (and a fixed
 * pool cannot deadlock waiting on itself).
 */
public final class Parallel {
  static final String THREADS_PROPERTY = "spindle.op.threads";

  /** Whether this thread is running a share of a parallel loop: loops inside it run serially (no nesting). */
  private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);
  private static volatile int threads = fromSettings();
  private static ExecutorService pool;
  private static int poolSize;

  private Parallel() {}

  /** One share of a parallel loop: indices [from, to), the {@code chunk}-th of the split (0-based). */
  @FunctionalInterface
  public interface Body {
    void run(int chunk, int from, int to);
  }

  /** Threads an op may use in this JVM, the caller's included. */
  public static int threads() {
    return threads;
  }

  /** Sets the threads ops may use (>= 1); 1 turns intra-op parallelism off. */
  public static void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("op threads must be >= 1, got " + n);
    }
    threads = n;
  }

  /**
   * Chunks {@link #forRange} splits {@code n} items into when each chunk should hold at least {@code grain} items:
   * at most {@link #threads()}, at least 1. Callers that need per-chunk scratch size it with this.
   */
  public static int chunks(int n, int grain) {
    if (INSIDE.get()[0]) {
      return 1; // already one share of an outer loop: the other threads are busy with theirs
    }
    return (int) Math.max(1, Math.min(threads, n / Math.max(1L, grain)));
  }

  /**
   * Runs {@code body} over [0, n) in {@link #chunks(int, int)} contiguous chunks, on the pool and the calling
   * thread, and returns when all are done. An exception thrown by a chunk is rethrown here (the first one, after
   * every chunk has finished).
   */
  public static void forRange(int n, int grain, Body body) {
    int chunks = chunks(n, grain);
    if (chunks == 1) {
      body.run(0, 0, n);
      return;
    }
    runAll(pool(chunks - 1), chunks, c -> share(body, c, start(n, chunks, c), start(n, chunks, c + 1)),
        "interrupted while waiting for op threads");
  }

  /**
   * Runs {@code task} for indices 1 .. {@code tasks - 1} on {@code workers} and for index 0 on the calling thread,
   * and returns when all have finished (with one task nothing is submitted, and {@code workers} may be null). The
   * first failure, the caller's own before the workers' in index order, is rethrown once every task has finished:
   * a {@link RuntimeException} or {@link Error} as it is, anything else wrapped in an {@link IllegalStateException}.
   * An interrupt while waiting is kept on the thread and counts as a failure, an {@link IllegalStateException} with
   * the message {@code interrupted}.
   */
  public static void runAll(ExecutorService workers, int tasks, IntConsumer task, String interrupted) {
    Future<?>[] futures = new Future<?>[tasks - 1];
    for (int i = 1; i < tasks; i++) {
      int index = i;
      futures[i - 1] = workers.submit(() -> task.accept(index));
    }
    Throwable failure = null;
    try {
      task.accept(0);
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = failure != null ? failure : new IllegalStateException(interrupted, e);
      } catch (ExecutionException e) {
        failure = failure != null ? failure : e.getCause();
      }
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  /** Runs one share with this thread marked as inside a parallel loop. */
  private static void share(Body body, int chunk, int from, int to) {
    boolean[] inside = INSIDE.get();
    inside[0] = true;
    try {
      body.run(chunk, from, to);
    } finally {
      inside[0] = false;
    }
  }

  /** First index of chunk {@code c} when [0, n) is cut into {@code chunks} nearly equal parts. */
  private static int start(int n, int chunks, int c) {
    return (int) ((long) n * c / chunks);
  }

  private static synchronized ExecutorService pool(int workers) {
    if (pool == null || poolSize < workers) {
      if (pool != null) {
        pool.shutdown();
      }
      AtomicInteger count = new AtomicInteger();
      ThreadFactory factory = r -> {
        Thread t = new Thread(r, "spindle-op-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
      pool = Executors.newFixedThreadPool(workers, factory);
      poolSize = workers;
    }
    return pool;
  }

  private static int fromSettings() {
    return BlasSelection.threadsSetting(THREADS_PROPERTY);
  }
}
