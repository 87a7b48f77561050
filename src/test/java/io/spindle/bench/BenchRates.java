package io.spindle.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.spindle.autograd.Parameters;
import io.spindle.optim.AdamW;
import io.spindle.optim.GradientClipping;
import io.spindle.spark.BaselineKryoRegistrator;
import io.spindle.spark.SpindleKryoRegistrator;
import io.spindle.tensor.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * The per-byte and per-parameter rates behind docs/scaling.md's model, timed in this JVM on {@link #N} floats (40
 * MB), median wall time of {@link #REPS} repetitions after one warm-up: Kryo serialization of a {@code float[]}
 * (write and read, bulk and Kryo's stock serializer), the merge of two gradients ({@code a += b}, as
 * {@code GradientSum} and {@code CanonicalSum} add), and the driver update (the norm pass plus
 * {@link AdamW#fusedStep}, against the unfused reference: scale, clip, step, scan for non-finite weights).
 */
final class BenchRates {
  static final int N = 10_000_000;
  static final int REPS = 5;

  private BenchRates() {}

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  static void print(PrintStream out) throws Exception {
    out.println();
    out.printf(Locale.ROOT, "5. Rates (docs/scaling.md's constants): %,d floats (%.0f MB), median of %d runs, "
        + "wall time%n", N, N * 4 / 1e6, REPS);
    float[] a = random(N, 1);
    float[] b = random(N, 2);
    out.printf(Locale.ROOT, "%-44s | %10s%n", "operation", "rate");
    for (boolean bulk : new boolean[] {true, false}) {
      Kryo kryo = new Kryo();
      KryoRegistrator registrator = bulk ? new SpindleKryoRegistrator() : new BaselineKryoRegistrator();
      registrator.registerClasses(kryo);
      Output output = new Output(4 * N + 16, -1);
      double write = millis(() -> {
        output.clear();
        kryo.writeObject(output, a);
      });
      byte[] bytes = output.toBytes();
      double read = millis(() -> kryo.readObject(new Input(bytes), float[].class));
      String how = bulk ? "bulk (SpindleKryoRegistrator)" : "element by element (Kryo's own)";
      out.printf(Locale.ROOT, "%-44s | %7.0f MB/s%n", "serialize float[], " + how, N * 4 / 1e3 / write);
      out.printf(Locale.ROOT, "%-44s | %7.0f MB/s%n", "deserialize float[], " + how, N * 4 / 1e3 / read);
    }
    double allocate = millis(() -> {
      float[] fresh = new float[N];
      fresh[N - 1] = 1f;
    });
    out.printf(Locale.ROOT, "%-44s | %7.0f MB/s%n", "allocate a float[] (part of deserializing)", N * 4 / 1e3 / allocate);
    double merge = millis(() -> {
      for (int i = 0; i < N; i++) {
        a[i] += b[i];
      }
    });
    out.printf(Locale.ROOT, "%-44s | %7.0f MB/s of gradient merged%n", "merge a += b (one thread)", N * 4 / 1e3 / merge);
    for (boolean fused : new boolean[] {true, false}) {
      Parameters p = Parameters.builder().add("w", 1_000, N / 1_000).build();
      p.values().copyFrom(random(N, 3));
      AdamW adam = new AdamW(AdamW.Config.defaults().withWeightDecay(0.1), p);
      float[] g = random(N, 4);
      double ms = millis(() -> {
        p.grads().copyFrom(g);
        float scale = 1f / 1024;
        if (fused) {
          double norm = GradientClipping.globalNorm(p.grads(), scale);
          adam.fusedStep(p.values(), p.grads(), scale, GradientClipping.coefficient(norm, 1.0), 1e-4);
        } else {
          p.grads().scaleInPlace(scale);
          GradientClipping.clipGlobalNorm(p.grads(), 1.0);
          adam.step(p, 1e-4);
          scan(p.values());
        }
      });
      double copy = millis(() -> p.grads().copyFrom(g));
      out.printf(Locale.ROOT, "%-44s | %7.2f ns/parameter%n", fused ? "driver update, fused (norm + fusedStep)"
          : "driver update, unfused (scale, clip, step, scan)", (ms - copy) * 1e6 / N);
    }
    out.println("   fused: the norm on one thread, the update over this JVM's cores (common pool, "
        + Runtime.getRuntime().availableProcessors() + " cores); the gradient copy into the buffer is timed apart "
        + "and subtracted.");
  }

  private static void scan(Tensor values) {
    for (int i = 0; i < values.size(); i++) {
      if (!Float.isFinite(values.get(i))) {
        throw new ArithmeticException("non-finite weight " + i);
      }
    }
  }

  private static double millis(Work work) throws Exception {
    work.run();
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
