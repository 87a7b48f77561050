package io.spindle.plot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.data.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The losses of one training run: one training point per step, and validation points on the steps that evaluated.
 *
 * @param train training loss of each step, in step order
 * @param validation validation loss of the steps that evaluated, in step order
 */
public record LossHistory(List<Point> train, List<Point> validation) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One loss measurement.
   *
   * @param step the step it was measured after (1-based)
   * @param seconds wall-clock seconds since training started, NaN when unknown
   * @param loss the loss
   */
  public record Point(long step, double seconds, double loss) {}

  public LossHistory {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
  }

  /**
   * Reads a {@code metrics.jsonl} file: one JSON object per line with {@code step} and {@code loss}, optionally
   * {@code elapsed_s} (seconds since the start) and {@code val_loss} (on steps that evaluated). Other fields are
   * ignored, and so are blank lines.
   *
   * @throws BadInputException when the file is missing or a line is not such an object (naming the line)
   */
  public static LossHistory read(Path metricsJsonl) throws IOException {
    List<Point> train = new ArrayList<>();
    List<Point> validation = new ArrayList<>();
    for (JsonNode o : objects(metricsJsonl, "numeric \"step\" and \"loss\"", "step", "loss")) {
      train.add(point(o, "loss"));
      if (o.path("val_loss").isNumber()) {
        validation.add(point(o, "val_loss"));
      }
    }
    return new LossHistory(train, validation);
  }

  /**
   * Reads one other per-step number of a {@code metrics.jsonl} file as the training series, such as the mean
   * {@code reward} or the {@code kl} of a {@code spindle rl} run: a point for each line with numeric {@code step} and
   * {@code field} ({@code elapsed_s} gives its time, as in {@link #read(Path)}); lines without the field are skipped.
   * The history has no validation points. Draw it with {@link LossChart#withValueLabel} to name the axis.
   *
   * @throws BadInputException when the file is missing, a line is not a JSON object with a numeric {@code step}, or
   *     no line has a numeric {@code field}
   */
  public static LossHistory read(Path metricsJsonl, String field) throws IOException {
    List<Point> points = new ArrayList<>();
    for (JsonNode o : objects(metricsJsonl, "a numeric \"step\"", "step")) {
      if (o.path(field).isNumber()) {
        points.add(point(o, field));
      }
    }
    if (points.isEmpty()) {
      throw new BadInputException(metricsJsonl + ": no line has a numeric \"" + field + "\"");
    }
    return new LossHistory(points, List.of());
  }

  /** Training losses of steps 1, 2, ... with no time and no validation (a loop of one's own, say). */
  public static LossHistory ofLosses(double... losses) {
    List<Point> train = new ArrayList<>(losses.length);
    for (int i = 0; i < losses.length; i++) {
      train.add(new Point(i + 1, Double.NaN, losses[i]));
    }
    return new LossHistory(train, List.of());
  }

  /** Whether every point knows its time, so the history can be drawn against time. */
  public boolean hasTimes() {
    return train.stream().noneMatch(p -> Double.isNaN(p.seconds()))
        && validation.stream().noneMatch(p -> Double.isNaN(p.seconds()));
  }

  /**
   * The JSON object of each non-blank line of {@code metricsJsonl}, each checked to have the numeric fields
   * {@code required} (which {@code what} names in the error).
   */
  private static List<JsonNode> objects(Path metricsJsonl, String what, String... required) throws IOException {
    if (!Files.isRegularFile(metricsJsonl)) {
      throw new BadInputException("no metrics file " + metricsJsonl);
    }
    List<JsonNode> objects = new ArrayList<>();
    List<String> lines = Files.readAllLines(metricsJsonl, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonNode o = parse(lines.get(i), metricsJsonl, i + 1);
      for (String name : required) {
        if (!o.path(name).isNumber()) {
          throw new BadInputException(metricsJsonl + " line " + (i + 1) + ": needs " + what + ", got "
              + lines.get(i));
        }
      }
      objects.add(o);
    }
    return objects;
  }

  /** The point of a line's step, its time ({@code elapsed_s}, NaN when absent) and its numeric {@code field}. */
  private static Point point(JsonNode o, String field) {
    double seconds = o.path("elapsed_s").isNumber() ? o.get("elapsed_s").asDouble() : Double.NaN;
    return new Point(o.get("step").asLong(), seconds, o.get(field).asDouble());
  }

  private static JsonNode parse(String line, Path file, int number) {
    try {
      JsonNode o = JSON.readTree(line);
      if (o != null && o.isObject()) {
        return o;
      }
    } catch (JsonProcessingException e) {
      throw new BadInputException(file + " line " + number + " is not JSON: " + e.getOriginalMessage(), e);
    }
    throw new BadInputException(file + " line " + number + " is not a JSON object: " + line);
  }
}
