package io.spindle.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What one application's Spark event log ({@code spark.eventLog.enabled}, uncompressed; a single file or Spark 4's
 * rolling {@code eventlog_v2_APP-ID/events_N_APP-ID} folder) says about executors and tasks.
 *
 * @param executorsAdded executor id to the time it registered with the driver (ms since the epoch), in order
 * @param tasks every task that ended, in order
 */
record EventLog(Map<String, Long> executorsAdded, List<Task> tasks) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A task that ended: the executor it ran on, when it was launched, and whether it succeeded. */
  record Task(String executor, long launchTime, boolean succeeded) {}

  /** Reads the event log of {@code appId} in {@code dir}. */
  static EventLog read(Path dir, String appId) throws IOException {
    List<Path> files = new ArrayList<>();
    Path rolling = dir.resolve("eventlog_v2_" + appId);
    if (Files.isDirectory(rolling)) {
      try (Stream<Path> s = Files.list(rolling)) {
        s.filter(p -> p.getFileName().toString().startsWith("events_"))
            .sorted((a, b) -> Integer.compare(index(a), index(b))).forEach(files::add);
      }
    } else {
      files.add(dir.resolve(appId));
    }
    Map<String, Long> added = new LinkedHashMap<>();
    List<Task> tasks = new ArrayList<>();
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        JsonNode event = JSON.readTree(line);
        switch (event.path("Event").asText()) {
          case "SparkListenerExecutorAdded" -> added.put(event.path("Executor ID").asText(),
              event.path("Timestamp").asLong());
          case "SparkListenerTaskEnd" -> {
            JsonNode info = event.path("Task Info");
            tasks.add(new Task(info.path("Executor ID").asText(), info.path("Launch Time").asLong(),
                "Success".equals(event.path("Task End Reason").path("Reason").asText())));
          }
          default -> { }
        }
      }
    }
    return new EventLog(added, tasks);
  }

  /** N of {@code events_N_APP-ID}. */
  private static int index(Path file) {
    return Integer.parseInt(file.getFileName().toString().split("_")[1]);
  }

  /** The tasks launched at or after {@code time}. */
  List<Task> launchedSince(long time) {
    return tasks.stream().filter(t -> t.launchTime() >= time).toList();
  }
}
