package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-lm --master local[2]}: trains on Spark, writes the model folder with its checkpoints, resumes, and
 * refuses Spark-only options without a master. (Each run starts and stops its own SparkContext.)
 */
class SparkCliTest {
  @TempDir
  static Path dir;
  static Path text;

  @BeforeAll
  static void writeText() throws Exception {
    text = dir.resolve("text.txt");
    Files.writeString(text, "the cat sat on the mat. ".repeat(200));
  }

  static String[] trainArgs(Path model, int steps, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("train-lm", "--text", text.toString(), "--model-dir",
        model.toString(), "--steps", String.valueOf(steps), "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16",
        "--batch-size", "4", "--eval-every", "0", "--sample-tokens", "5"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  @Test
  void trainsOnSparkWithCheckpointsAndResumes() throws Exception {
    Path model = dir.resolve("spark-model");
    CliTest.Run r = CliTest.run(trainArgs(model, 4, "--master", "local[2]", "--partitions", "3", "--micro-batches",
        "2", "--checkpoint-every", "2"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("3 partitions"), r.err());
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "metrics.jsonl",
        "checkpoints/step-00000002/manifest.json", "checkpoints/step-00000004/tokenizer.json"}) {
      assertTrue(Files.isRegularFile(model.resolve(f)), f);
    }
    assertEquals(4, Files.readAllLines(model.resolve("metrics.jsonl")).size());

    CliTest.Run again = CliTest.run(trainArgs(model, 4, "--master", "local[2]", "--checkpoint-every", "2"));
    assertEquals(1, again.status(), again.err());
    assertTrue(again.err().contains("already holds checkpoints"), again.err());

    CliTest.Run more = CliTest.run(trainArgs(model, 6, "--master", "local[2]", "--resume", "--checkpoint-every",
        "2", "--keep-checkpoints", "2"));
    assertEquals(0, more.status(), more.err());
    assertTrue(more.err().contains("resumed from") && more.err().contains("step-00000004"), more.err());
    assertEquals(2, Files.readAllLines(model.resolve("metrics.jsonl")).size(), "steps 5 and 6");
    assertTrue(Files.isDirectory(model.resolve("checkpoints/step-00000006")));
    assertFalse(Files.exists(model.resolve("checkpoints/step-00000002")), "only the newest 2 are kept");
    assertTrue(Files.isDirectory(model.resolve("checkpoints/step-00000004")));

    CliTest.Run done = CliTest.run(trainArgs(model, 6, "--master", "local[2]", "--resume"));
    assertEquals(1, done.status(), done.err());
    assertTrue(done.err().contains("nothing to train"), done.err());
    assertTrue(Files.isDirectory(model.resolve("checkpoints/step-00000006")), "checkpoints survive a refused run");
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".partial-")));
    }
  }

  @Test
  void keepingNoCheckpointIsRefused() {
    CliTest.Run r = CliTest.run(trainArgs(dir.resolve("m3"), 4, "--master", "local[2]", "--keep-checkpoints", "0"));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("--keep-checkpoints must be >= 1, got 0"), r.err());
  }

  @Test
  void sparkOptionsNeedAMaster() {
    CliTest.Run r = CliTest.run(trainArgs(dir.resolve("m2"), 4, "--checkpoint-every", "2"));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("need --master"), r.err());
    assertFalse(Files.exists(dir.resolve("m2")));
  }
}
