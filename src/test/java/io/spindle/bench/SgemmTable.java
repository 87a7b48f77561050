package io.spindle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints {@link SgemmBenchmark}'s results as GFLOP/s: reads the CSV that JMH writes with {@code -rf csv -rff FILE}
 * and prints one line per shape, pass and backend. {@code bin/bench} runs it after JMH.
 *
 * <p>GFLOP/s = calls per second x 2 M K N / 1e9, for the score and for its 99.9% error half-width alike.
 */
public final class SgemmTable {
  private SgemmTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: SgemmTable JMH_RESULT.csv");
    }
    List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    List<String> header = fields(lines.get(0));
    int benchmark = header.indexOf("Benchmark");
    int score = header.indexOf("Score");
    int error = header.indexOf("Score Error (99.9%)");
    int unit = header.indexOf("Unit");
    int backend = header.indexOf("Param: backend");
    int shape = header.indexOf("Param: shape");
    int pass = header.indexOf("Param: pass");
    System.out.printf(Locale.ROOT, "%-16s %-8s %-8s %9s %9s%n", "shape(MxKxN)", "pass", "backend", "GFLOP/s", "+-99.9%");
    for (String line : lines.subList(1, lines.size())) {
      List<String> row = fields(line);
      if (!row.get(benchmark).endsWith("SgemmBenchmark.sgemm")) {
        continue;
      }
      double flops = SgemmBenchmark.flops(row.get(shape));
      String u = row.get(unit);
      double value = Double.parseDouble(row.get(score));
      double halfWidth = Double.parseDouble(row.get(error));
      double gflops = callsPerSecond(value, u) * flops / 1e9;
      // The error of a rate maps through the same factor; for a time per call it is approximate (first order).
      double gflopsError = gflops * halfWidth / value;
      System.out.printf(Locale.ROOT, "%-16s %-8s %-8s %9.2f %9.2f%n",
          row.get(shape), row.get(pass), row.get(backend), gflops, gflopsError);
    }
  }

  /** A JMH score in {@code unit} (throughput such as ops/s, or time per call such as ms/op) as calls per second. */
  static double callsPerSecond(double score, String unit) {
    String[] parts = unit.split("/");
    if (parts.length == 2 && parts[0].equals("ops")) {
      return score / seconds(parts[1]);
    }
    if (parts.length == 2 && parts[1].equals("op")) {
      return 1 / (score * seconds(parts[0]));
    }
    throw new IllegalArgumentException("SgemmTable: unexpected JMH unit '" + unit + "'");
  }

  private static double seconds(String unit) {
    switch (unit) {
      case "ns":
        return 1e-9;
      case "us":
        return 1e-6;
      case "ms":
        return 1e-3;
      case "s":
        return 1;
      case "min":
        return 60;
      case "hr":
        return 3600;
      default:
        throw new IllegalArgumentException("SgemmTable: unexpected JMH time unit '" + unit + "'");
    }
  }

  /** The fields of one CSV line as JMH writes it: comma-separated, strings in double quotes. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (ch == ',' && !quoted) {
        out.add(field.toString());
        field.setLength(0);
      } else {
        field.append(ch);
      }
    }
    out.add(field.toString());
    return out;
  }
}
