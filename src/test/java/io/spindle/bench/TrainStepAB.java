package io.spindle.bench;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Side by side in one JVM: the {@link TrainStep} of this build against the same step compiled from another commit,
 * to check that a change does not slow the training path (first use: the attention recorder of
 * {@code io.spindle.autograd.AttentionRecorder}). Each build's {@code io.spindle} classes get their own class loader
 * over one shared loader of the dependencies (so OpenBLAS loads once); this build's {@code TrainStep} runs on both.
 * A third entry, this build again in a third class loader, gives the noise floor: its ratio to this build can differ
 * from 1 only by chance. The three run in rounds of {@code steps} steps each, the order rotating every round, so that
 * drift in the machine's load falls on all; it prints each one's median wall-clock and process-CPU time of a step,
 * and the ratios of the medians (with the range of the per-round ratios).
 *
 * <pre>  java -cp TEST_CLASSPATH io.spindle.bench.TrainStepAB BASELINE_CLASSES [cfg A] [rounds 10] [steps 5]</pre>
 * {@code TEST_CLASSPATH} is this build's {@code target/test-classes:target/classes:} dependencies (as
 * {@code bin/bench} builds it); {@code BASELINE_CLASSES} is the other commit's {@code target/classes}.
 */
public final class TrainStepAB {
  private TrainStepAB() {}

  public static void main(String[] args) throws Exception {
    Path baselineClasses = Path.of(args[0]).toAbsolutePath();
    String cfg = args.length > 1 ? args[1] : "A";
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    if (!Files.isDirectory(baselineClasses.resolve("io/spindle"))) {
      throw new IllegalArgumentException("TrainStepAB: no io/spindle classes under " + baselineClasses);
    }

    List<URL> dependencies = new ArrayList<>();
    Path testClasses = null;
    Path classes = null;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath();
      if (p.endsWith(Path.of("target", "test-classes"))) {
        testClasses = p;
      } else if (p.endsWith(Path.of("target", "classes"))) {
        classes = p;
      } else {
        dependencies.add(p.toUri().toURL());
      }
    }
    if (testClasses == null || classes == null) {
      throw new IllegalArgumentException("TrainStepAB: the class path needs target/test-classes and target/classes");
    }
    ClassLoader shared = new URLClassLoader(dependencies.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Build current = new Build("this build", loader(shared, testClasses, classes), cfg);
    Build baseline = new Build("baseline", loader(shared, testClasses, baselineClasses), cfg);
    Build again = new Build("this again", loader(shared, testClasses, classes), cfg);
    Build[] builds = {baseline, current, again};

    for (int warm = 0; warm < 3; warm++) { // JIT and arenas of all three before anything counts
      for (Build b : builds) {
        b.run();
      }
    }
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < builds.length; k++) {
        Build b = builds[(r + k) % builds.length];
        b.round();
        for (int s = 0; s < steps; s++) {
          b.timed();
        }
      }
    }
    for (Build b : builds) {
      System.out.printf(Locale.ROOT, "%-10s cfg=%s steps=%d median_step=%.1fms median_cpu=%.1fms loss=%.4f%n",
          b.name, cfg, b.wall.size(), b.medianWall() * 1e3, b.medianCpu() * 1e3, b.loss);
    }
    ratio("this build / baseline", current, baseline, rounds, steps);
    ratio("this again / this build (noise floor)", again, current, rounds, steps);
  }

  /** Prints the ratio of the medians of a and b, and the range of their per-round ratios. */
  private static void ratio(String label, Build a, Build b, int rounds, int steps) {
    double[] wall = new double[rounds];
    double[] cpu = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      wall[r] = StepClock.median(a.wall.subList(r * steps, (r + 1) * steps))
          / StepClock.median(b.wall.subList(r * steps, (r + 1) * steps));
      cpu[r] = StepClock.median(a.cpu.subList(r * steps, (r + 1) * steps))
          / StepClock.median(b.cpu.subList(r * steps, (r + 1) * steps));
    }
    System.out.printf(Locale.ROOT, "%s: wall %.3f (rounds %.3f..%.3f), cpu %.3f (rounds %.3f..%.3f)%n", label,
        a.medianWall() / b.medianWall(), min(wall), max(wall), a.medianCpu() / b.medianCpu(), min(cpu), max(cpu));
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  private static ClassLoader loader(ClassLoader shared, Path testClasses, Path classes) throws MalformedURLException {
    return new URLClassLoader(new URL[] {testClasses.toUri().toURL(), classes.toUri().toURL()}, shared);
  }

  /** One build's training step, with its timings. */
  private static final class Build {
    final String name;
    final Object step;
    final Method run;
    final StepClock clock = new StepClock();
    final List<Double> wall = new ArrayList<>();
    final List<Double> cpu = new ArrayList<>();
    float loss;

    Build(String name, ClassLoader loader, String cfg) throws Exception {
      this.name = name;
      Class<?> type = Class.forName(TrainStep.class.getName(), true, loader);
      Constructor<?> make = type.getDeclaredConstructor(String.class, int.class);
      make.setAccessible(true);
      step = make.newInstance(cfg, 1);
      run = type.getDeclaredMethod("run");
      run.setAccessible(true);
    }

    void run() throws Exception {
      loss = (float) run.invoke(step);
    }

    /** Starts a round of timed steps. */
    void round() {
      clock.start();
    }

    void timed() throws Exception {
      run();
      StepClock.Lap lap = clock.lap();
      wall.add(lap.seconds());
      cpu.add(lap.cpuSeconds());
    }

    double medianWall() {
      return StepClock.median(wall);
    }

    double medianCpu() {
      return StepClock.median(cpu);
    }
  }
}
