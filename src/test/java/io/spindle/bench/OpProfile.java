package io.spindle.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a training step spends its time, per op family: reads a Java Flight Recording of {@link TrainStepBenchmark}
 * and attributes every CPU sample of the benchmark thread to the op whose code it was in.
 *
 * <p>Both JFR sample kinds count: {@code jdk.ExecutionSample} (the thread ran Java code) and
 * {@code jdk.NativeMethodSample} (it was inside a native method, here OpenBLAS's sgemm). A sample belongs to the
 * innermost frame of an {@code io.spindle.autograd}, {@code io.spindle.optim} or {@code io.spindle.nn} class, except
 * that the shared helpers (the sgemm call {@code MatMul.gemm}, the vectorised {@code Exp} and {@code VectorMath}) are charged to the op that
 * called them (so attention's gemms count as attention). Each sample is weighted by its kind's sampling period (JFR's {@code profile} settings sample Java
 * code every 10 ms but native code every 20 ms), so the shares are shares of time. The family is that class's simple name, with {@code " fwd"} or {@code " bwd"} appended for autograd
 * ops according to whether {@code Graph.backward} is on the stack. Samples outside any of these (JMH, the JIT's own
 * threads are not sampled) are {@code other}.
 *
 * <pre>
 *   bin/bench TrainStep -p cfg=A -p threads=1 -jvmArgsAppend -XX:StartFlightRecording=filename=step.jfr,settings=profile
 *   java -cp target/test-classes io.spindle.bench.OpProfile step.jfr             (per op family)
 *   java -cp target/test-classes io.spindle.bench.OpProfile step.jfr --methods   (per innermost Spindle method)
 * </pre>
 */
public final class OpProfile {
  private OpProfile() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2 || args.length == 2 && !args[1].equals("--methods")) {
      throw new IllegalArgumentException("usage: OpProfile RECORDING.jfr [--methods]");
    }
    boolean methods = args.length == 2;
    List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
    Map<Long, Double> periods = samplingPeriods(events);
    Map<String, Double> counts = new TreeMap<>();
    double total = 0;
    for (RecordedEvent e : events) {
      String type = e.getEventType().getName();
      if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
        continue;
      }
      RecordedStackTrace stack = e.getStackTrace();
      if (stack == null || !onBenchmarkThread(stack.getFrames())) {
        continue;
      }
      // a sample stands for one sampling period of the thread's time; the two kinds may be sampled at other rates
      double seconds = periods.getOrDefault(e.getEventType().getId(), 0.02);
      String key = methods ? method(stack.getFrames(), type.equals("jdk.NativeMethodSample")) : family(stack.getFrames());
      counts.merge(key, seconds, Double::sum);
      total += seconds;
    }
    System.out.printf(Locale.ROOT, "%-28s %9s %7s%n", "op family", "seconds", "share");
    final double all = total;
    counts.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(en -> System.out.printf(Locale.ROOT, "%-28s %9.2f %6.1f%%%n", en.getKey(), en.getValue(),
            100.0 * en.getValue() / all));
    System.out.printf(Locale.ROOT, "%-28s %9.2f%n", "total", total);
  }

  /** Sampling period in seconds of each event type id, from the recording's {@code jdk.ActiveSetting} events. */
  private static Map<Long, Double> samplingPeriods(List<RecordedEvent> events) {
    Map<Long, Double> periods = new HashMap<>();
    for (RecordedEvent e : events) {
      if (e.getEventType().getName().equals("jdk.ActiveSetting") && e.getString("name").equals("period")) {
        String[] value = e.getString("value").trim().split("\\s+");
        if (value.length == 2 && value[1].equals("ms")) {
          periods.put(e.getLong("id"), Double.parseDouble(value[0]) / 1000);
        }
      }
    }
    return periods;
  }

  private static boolean onBenchmarkThread(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      if (f.getMethod().getType().getName().startsWith("io.spindle.bench.")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The finer key of {@code --methods}: the innermost Spindle method of the stack outside {@code io.spindle.tensor}
   * and {@code MatMul.gemm} ({@code Class.method}, lambdas named after their enclosing method), marked
   * {@code [native]} when the thread was in native code (BLAS), so BLAS time is charged to the op that called it.
   */
  static String method(List<RecordedFrame> frames, boolean inNative) {
    for (RecordedFrame f : frames) {
      String cls = f.getMethod().getType().getName();
      boolean helper = cls.startsWith("io.spindle.tensor.")
          || cls.equals("io.spindle.autograd.MatMul") && f.getMethod().getName().equals("gemm");
      if (cls.startsWith("io.spindle.") && !cls.startsWith("io.spindle.bench.") && !helper) {
        String name = cls.substring(cls.lastIndexOf('.') + 1);
        int inner = name.indexOf('$');
        return (inner >= 0 ? name.substring(0, inner) : name) + "." + f.getMethod().getName()
            + (inNative ? " [native]" : "");
      }
    }
    return "other";
  }

  /** The op family of one sample's stack (innermost frame first). */
  static String family(List<RecordedFrame> frames) {
    boolean backward = false;
    for (RecordedFrame f : frames) {
      String cls = f.getMethod().getType().getName();
      if (cls.equals("io.spindle.autograd.Graph") && f.getMethod().getName().equals("backward")) {
        backward = true;
      }
    }
    for (RecordedFrame f : frames) {
      String cls = f.getMethod().getType().getName();
      String method = f.getMethod().getName();
      if (cls.equals("io.spindle.autograd.MatMul") && method.equals("gemm") || cls.equals("io.spindle.autograd.Exp")
          || cls.equals("io.spindle.autograd.VectorMath")) {
        continue; // shared helpers: charged to the op that called them
      }
      boolean autograd = cls.startsWith("io.spindle.autograd.");
      if (autograd || cls.startsWith("io.spindle.optim.") || cls.startsWith("io.spindle.nn.")) {
        String name = cls.substring(cls.lastIndexOf('.') + 1);
        int inner = name.indexOf('$');
        if (inner >= 0) {
          name = name.substring(0, inner);
        }
        if (name.equals("Graph") || name.equals("Parameters")) {
          return name + "." + method;
        }
        return autograd ? name + (backward ? " bwd" : " fwd") : name;
      }
    }
    return "other";
  }
}
