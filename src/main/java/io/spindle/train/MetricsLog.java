package io.spindle.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/**
 * Appends one JSON object per step to a {@code metrics.jsonl} stream: {@code step}, {@code loss}, {@code lr},
 * {@code tokens_per_sec}, {@code elapsed_s}, {@code grad_norm}, and {@code val_loss} on steps that evaluated.
 * Each line is flushed as written so a crash loses at most the step in flight.
 */
public final class MetricsLog implements Closeable {
  public static final String FILE_NAME = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final BufferedWriter out;

  public MetricsLog(OutputStream stream) {
    this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
  }

  public void append(StepMetrics m) throws IOException {
    out.write(JSON.writeValueAsString(toJson(m)));
    out.newLine();
    out.flush();
  }

  /** One line's object (non-finite numbers as the strings "NaN", "Infinity"). */
  static ObjectNode toJson(StepMetrics m) {
    ObjectNode o = JSON.createObjectNode();
    o.put("step", m.step());
    o.put("loss", m.loss());
    o.put("lr", m.learningRate());
    o.put("tokens_per_sec", m.tokensPerSecond());
    o.put("elapsed_s", m.elapsedSeconds());
    o.put("grad_norm", m.gradNorm());
    if (m.evaluated()) {
      o.put("val_loss", m.validationLoss());
    }
    return o;
  }

  /** The metrics of one line written by {@link #toJson}. */
  static StepMetrics fromJson(JsonNode o) {
    return new StepMetrics(o.path("step").asLong(), o.path("loss").asDouble(), o.path("lr").asDouble(),
        o.path("tokens_per_sec").asDouble(), o.path("elapsed_s").asDouble(), o.path("grad_norm").asDouble(),
        o.has("val_loss") ? o.get("val_loss").asDouble() : Double.NaN);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
