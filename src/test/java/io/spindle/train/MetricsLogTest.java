package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One line per step, the objective's extra metrics included, and back (as checkpoints read their progress). */
class MetricsLogTest {
  @Test
  void extraMetricsAreWrittenByNameAndReadBack() throws Exception {
    StepMetrics m = new StepMetrics(3, 0.5, 1e-4, 12, 1.5, 0.25, Double.NaN, Map.of("reward", 0.75, "kl", 0.01));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MetricsLog log = new MetricsLog(bytes)) {
      log.append(m);
      log.append(new StepMetrics(4, 0.4, 1e-4, 12, 2.0, 0.5, 0.9));
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals("{\"step\":3,\"loss\":0.5,\"lr\":1.0E-4,\"tokens_per_sec\":12.0,\"elapsed_s\":1.5,"
        + "\"grad_norm\":0.25,\"kl\":0.01,\"reward\":0.75}", lines[0]);
    ObjectMapper json = new ObjectMapper();
    assertEquals(m, MetricsLog.fromJson(json.readTree(lines[0])));
    StepMetrics plain = MetricsLog.fromJson(json.readTree(lines[1]));
    assertEquals(Map.of(), plain.extra());
    assertEquals(0.9, plain.validationLoss());
  }

  @Test
  void anExtraMetricMayNotTakeAFixedName() {
    assertThrows(IllegalArgumentException.class,
        () -> new StepMetrics(1, 0, 0, 0, 0, 0, Double.NaN, Map.of("loss", 1.0)));
  }
}
