package io.spindle.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Times consecutive training steps on the wall clock and flags each one that other processes disturbed: a step is
 * <em>dirty</em> when the machine's busy CPU time during it ({@code /proc/stat}, all but idle and iowait) minus this
 * process's CPU time exceeds 10% of its duration. Where {@code /proc/stat} is missing no step is dirty. The resolution
 * is the kernel's tick (10 ms), so steps much shorter than 100 ms are flagged noisily.
 *
 * <p>Order of use: {@link #start()} before the first step, then {@link #lap()} at the end of every step (it also
 * starts the next one). Not thread-safe.
 */
final class StepClock {
  /**
   * One step.
   *
   * @param seconds wall-clock duration
   * @param cpuSeconds CPU time of this whole process during the step (all its threads: Spark tasks in local mode)
   * @param dirty whether other processes used more than 10% of the step's duration in CPU time
   * @param startMillis wall-clock time ({@link System#currentTimeMillis()}) the step started, to match Spark events
   * @param endMillis wall-clock time it ended
   */
  record Lap(double seconds, double cpuSeconds, boolean dirty, long startMillis, long endMillis) {}

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long busy0;
  private long cpu0;
  private long nanos0;
  private long millis0;

  /** Starts timing the first step. */
  void start() {
    busy0 = busyTicks();
    cpu0 = os.getProcessCpuTime();
    millis0 = System.currentTimeMillis();
    nanos0 = System.nanoTime();
  }

  /** Ends the current step, returns it, and starts timing the next one. */
  Lap lap() {
    long nanos = System.nanoTime();
    long millis = System.currentTimeMillis();
    long cpu = os.getProcessCpuTime();
    long busy = busyTicks();
    double seconds = (nanos - nanos0) * 1e-9;
    double ownCpu = (cpu - cpu0) * 1e-9;
    double foreign = (busy - busy0) / 100.0 - ownCpu; // USER_HZ is 100 on Linux
    Lap lap = new Lap(seconds, ownCpu, busy0 >= 0 && foreign > 0.1 * seconds, millis0, millis);
    busy0 = busy;
    cpu0 = cpu;
    millis0 = millis;
    nanos0 = nanos;
    return lap;
  }

  /** The median of {@code values}, NaN if there are none. */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Busy jiffies of the whole machine (all but idle and iowait), or -1 where /proc/stat is missing. */
  static long busyTicks() {
    Path stat = Path.of("/proc/stat");
    if (!Files.exists(stat)) {
      return -1;
    }
    try {
      String[] f = Files.readAllLines(stat, StandardCharsets.US_ASCII).get(0).trim().split("\\s+");
      long sum = 0;
      for (int i = 1; i < f.length; i++) {
        sum += Long.parseLong(f[i]);
      }
      return sum - Long.parseLong(f[4]) - Long.parseLong(f[5]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stat, e);
    }
  }
}
