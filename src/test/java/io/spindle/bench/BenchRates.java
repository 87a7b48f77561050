package io.spindle.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.spindle.autograd.Parameters;
import io.spindle.optim.AdamW;
import io.spindle.optim.GradientClipping;
import io.spindle.spark.BaselineKryoRegistrator;
import io.spindle.spark.FloatDecoding;
import io.spindle.spark.SpindleKryoRegistrator;
import io.spindle.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * The per-byte and per-parameter rates behind docs/scaling.md's model, timed in this JVM on {@link #N} floats (40
 * MB), median wall time of {@link #REPS} repetitions after {@link #WARMUP} untimed ones: Kryo serialization of a
 * {@code float[]} (bulk and Kryo's stock serializer), its deserialization into an array already in use (Spindle's
 * bulk and element-by-element decoders; allocating a fresh array is timed apart), the merge of two gradients
 * ({@code a += b}, as {@code GradientSum} and {@code CanonicalSum} add), and the driver update (the norm pass plus
 * {@link AdamW#fusedStep} on all cores and on one thread, against the unfused reference: scale, clip, step, scan for
 * non-finite weights).
 */
final class BenchRates {
  static final int N = 10_000_000;
  static final int REPS = 5;
  /** Jobs timed for L ({@link #jobLatency}). */
  static final int JOBS = 500;
  /**
   * Untimed repetitions first, so the JIT has compiled the loops. Deserialization reads into an array already in
   * use: deserialising into a fresh 40 MB {@code float[]} under {@code -Xmx4g} measured 274-297 MB/s on the
   * development VM, nearly all of it the kernel's first touch of new heap memory (about 160 ms per 40 MB), not the
   * decoder. Spindle's driver reads stored gradients into the model's own buffer, so the decoder's rate is the
   * model's r.
   */
  static final int WARMUP = 3;
  /** A pool of one thread: parallel streams started in it stay on it. */
  private static final ForkJoinPool ONE_THREAD = new ForkJoinPool(1);

  private BenchRates() {}

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  static void print(PrintStream out) throws Exception {
    out.println();
    out.printf(Locale.ROOT, "5. Rates (docs/scaling.md's constants): %,d floats (%.0f MB), median of %d runs, "
        + "wall time after %d untimed%n", N, N * 4 / 1e6, REPS, WARMUP);
    float[] a = random(N, 1);
    float[] b = random(N, 2);
    out.printf(Locale.ROOT, "%-44s | %10s%n", "operation", "rate");
    float[] decoded = new float[N];
    for (boolean bulk : new boolean[] {true, false}) {
      Kryo kryo = new Kryo();
      KryoRegistrator registrator = bulk ? new SpindleKryoRegistrator() : new BaselineKryoRegistrator();
      registrator.registerClasses(kryo);
      Output output = new Output(4 * N + 16, -1);
      double write = millis(() -> {
        output.clear();
        kryo.writeObject(output, a);
      });
      String how = bulk ? "bulk (SpindleKryoRegistrator)" : "element by element (Kryo's own)";
      out.printf(Locale.ROOT, "%-44s | %7.0f MB/s%n", "serialize float[], " + how, N * 4 / 1e3 / write);
    }
    byte[] bytes = FloatDecoding.write(a);
    for (boolean bulk : new boolean[] {true, false}) {
      double read = millis(() -> FloatDecoding.read(bytes, decoded, bulk));
      out.printf(Locale.ROOT, "%-44s | %7.0f MB/s%n", "deserialize into a float[], " + (bulk ? "bulk"
          : "element by element"), N * 4 / 1e3 / read);
    }
    double allocate = millis(() -> {
      float[] fresh = new float[N];
      fresh[N - 1] = 1f;
    });
    out.printf(Locale.ROOT, "%-44s | %7.0f MB/s%n", "allocate a float[] (when deserializing anew)",
        N * 4 / 1e3 / allocate);
    double merge = millis(() -> {
      for (int i = 0; i < N; i++) {
        a[i] += b[i];
      }
    });
    out.printf(Locale.ROOT, "%-44s | %7.0f MB/s of gradient merged%n", "merge a += b (one thread)", N * 4 / 1e3 / merge);
    for (String how : new String[] {"fused", "fused1", "unfused"}) {
      boolean fused = !how.equals("unfused");
      Parameters p = Parameters.builder().add("w", 1_000, N / 1_000).build();
      p.values().copyFrom(random(N, 3));
      AdamW adam = new AdamW(AdamW.Config.defaults().withWeightDecay(0.1), p);
      float[] g = random(N, 4);
      float scale = 1f / 1024;
      Runnable fusedUpdate = () -> {
        double norm = GradientClipping.globalNorm(p.grads(), scale);
        adam.fusedStep(p.values(), p.grads(), scale, GradientClipping.coefficient(norm, 1.0), 1e-4);
      };
      double ms = millis(() -> {
        p.grads().copyFrom(g);
        if (how.equals("fused1")) { // parallel streams run in the calling thread's pool: one thread
          ONE_THREAD.submit(fusedUpdate).get();
        } else if (fused) {
          fusedUpdate.run();
        } else {
          p.grads().scaleInPlace(scale);
          GradientClipping.clipGlobalNorm(p.grads(), 1.0);
          adam.step(p, 1e-4);
          scan(p.values());
        }
      });
      double copy = millis(() -> p.grads().copyFrom(g));
      String label = switch (how) {
        case "fused" -> "driver update, fused (norm + fusedStep)";
        case "fused1" -> "update, fused, one thread (u1)";
        default -> "driver update, unfused (scale, clip, step, scan)";
      };
      out.printf(Locale.ROOT, "%-44s | %7.2f ns/parameter%n", label, (ms - copy) * 1e6 / N);
    }
    out.println("   fused: the norm on one thread, the update over this JVM's cores (common pool, "
        + Runtime.getRuntime().availableProcessors() + " cores); one thread: both in a pool of one thread, as on "
        + "an executor core; the gradient copy into the buffer is timed apart and subtracted.");
  }

  /**
   * L, the latency of one Spark stage: a {@code treeAggregate} of a long over {@code partitions} cached one-element
   * partitions, {@link #JOBS} times, as the training step's job runs (one stage at depth 2), in this SparkContext
   * (the bench's master): the median of the first 50 jobs, when Spark's driver code is still being JIT-compiled, and
   * of the last 50.
   */
  static void jobLatency(PrintStream out, JavaSparkContext jsc, int partitions) {
    List<Integer> one = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      one.add(i);
    }
    JavaRDD<Integer> rdd = jsc.parallelize(one, partitions).cache();
    rdd.count();
    Function2<Long, Integer, Long> add = (x, y) -> x + y;
    Function2<Long, Long, Long> merge = Long::sum;
    List<Double> times = new ArrayList<>();
    for (int j = 0; j < JOBS; j++) {
      long t = System.nanoTime();
      rdd.treeAggregate(0L, add, merge, 2);
      times.add((System.nanoTime() - t) / 1e6);
    }
    rdd.unpersist(true);
    out.printf(Locale.ROOT, "%-44s | %7.1f ms (jobs 1-50), %.1f ms (jobs %d-%d)%n", "L: a trivial treeAggregate, "
        + jsc.master() + ", " + partitions + " partitions", StepClock.median(times.subList(0, 50)),
        StepClock.median(times.subList(JOBS - 50, JOBS)), JOBS - 49, JOBS);
  }

  private static void scan(Tensor values) {
    for (int i = 0; i < values.size(); i++) {
      if (!Float.isFinite(values.get(i))) {
        throw new ArithmeticException("non-finite weight " + i);
      }
    }
  }

  private static double millis(Work work) throws Exception {
    for (int w = 0; w < WARMUP; w++) {
      work.run();
    }
    List<Double> times = new ArrayList<>();
    for (int r = 0; r < REPS; r++) {
      long t = System.nanoTime();
      work.run();
      times.add((System.nanoTime() - t) / 1e6);
    }
    return StepClock.median(times);
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
