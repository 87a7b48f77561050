package io.spindle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints {@link TrainStepBenchmark}'s results as one line per config, BLAS threads and op threads: milliseconds per
 * step (with
 * JMH's 99.9% error half-width), tokens per second, heap bytes allocated per step ({@code gc.alloc.rate.norm}, present
 * when JMH ran with {@code -prof gc}) and tensor-storage bytes allocated per step (the {@code storageBytes} counter
 * over the {@code steps} counter). {@code bin/bench} runs it after JMH.
 */
public final class TrainStepTable {
  private TrainStepTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: TrainStepTable JMH_RESULT.csv");
    }
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    List<String> header = SgemmTable.fields(lines.get(0));
    int benchmark = header.indexOf("Benchmark");
    int score = header.indexOf("Score");
    int error = header.indexOf("Score Error (99.9%)");
    int unit = header.indexOf("Unit");
    int cfg = header.indexOf("Param: cfg");
    int threads = header.indexOf("Param: threads");
    int opThreads = header.indexOf("Param: opThreads");
    Map<String, Map<String, double[]>> runs = new LinkedHashMap<>(); // "cfg threads" -> metric -> {score, error}
    for (String line : lines.subList(1, lines.size())) {
      List<String> row = SgemmTable.fields(line);
      String name = row.get(benchmark);
      if (!name.startsWith("io.spindle.bench.TrainStepBenchmark.step")) {
        continue;
      }
      String metric = name.contains(":") ? name.substring(name.indexOf(':') + 1).replace("\u00b7", "") : "step";
      double value = Double.parseDouble(row.get(score));
      if (metric.equals("step")) {
        value = 1 / SgemmTable.callsPerSecond(value, row.get(unit)) * 1e3; // ms per step, whatever the unit
      }
      String errorText = row.get(error);
      double halfWidth = errorText.equals("NaN") ? Double.NaN : Double.parseDouble(errorText);
      if (metric.equals("step")) {
        halfWidth = halfWidth / Double.parseDouble(row.get(score)) * value;
      }
      String ops = opThreads < 0 ? "1" : row.get(opThreads);
      runs.computeIfAbsent(row.get(cfg) + " " + row.get(threads) + " " + ops, k -> new LinkedHashMap<>())
          .put(metric, new double[] {value, halfWidth});
    }
    System.out.printf(Locale.ROOT, "%-4s %-7s %-9s %10s %9s %10s %16s %19s%n", "cfg", "threads", "opThreads",
        "ms/step", "+-99.9%", "tokens/s", "heap bytes/step", "storage bytes/step");
    for (Map.Entry<String, Map<String, double[]>> run : runs.entrySet()) {
      String[] key = run.getKey().split(" ");
      Map<String, double[]> m = run.getValue();
      double ms = m.get("step")[0];
      double heap = m.containsKey("gc.alloc.rate.norm") ? m.get("gc.alloc.rate.norm")[0] : Double.NaN;
      double storage = m.containsKey("storageBytes") && m.containsKey("steps")
          ? m.get("storageBytes")[0] / m.get("steps")[0] : Double.NaN;
      System.out.printf(Locale.ROOT, "%-4s %-7s %-9s %10.1f %9.1f %10.0f %16s %19s%n", key[0], key[1], key[2], ms,
          m.get("step")[1], TrainStep.tokensPerStep(key[0]) / (ms / 1e3), bytes(heap), bytes(storage));
    }
  }

  private static String bytes(double value) {
    return Double.isNaN(value) ? "n/a (-prof gc)" : String.format(Locale.ROOT, "%.0f", value);
  }
}
