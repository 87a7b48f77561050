package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-lm --master local[2]}: trains on Spark, writes the model folder with its checkpoints, resumes, reads
 * gzipped text on the executors into the in-process token counts, and refuses Spark-only options without a master. (Each run starts and stops its own SparkContext.)
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
    assertTrue(again.err().contains("with --resume") && !again.err().contains("spindle: Spark"),
        "refused before Spark started and the text was read: " + again.err());

    CliTest.Run more = CliTest.run(trainArgs(model, 6, "--master", "local[2]", "--resume", "--checkpoint-every",
        "2", "--keep-checkpoints", "2"));
    assertEquals(0, more.status(), more.err());
    assertTrue(more.err().contains("resumed from") && more.err().contains("step-00000004"), more.err());
    // every step once: the resumed run's metrics.jsonl starts with the checkpoint's history of steps 1 to 4
    List<String> metrics = Files.readAllLines(model.resolve("metrics.jsonl"));
    assertEquals(6, metrics.size(), "steps 1 to 6");
    double elapsed = 0;
    for (int i = 0; i < 6; i++) {
      assertTrue(metrics.get(i).startsWith("{\"step\":" + (i + 1) + ","), metrics.get(i));
      // elapsed_s goes on from the checkpoint's time instead of restarting at 0 (issue 11, rough edge 8)
      double now = Double.parseDouble(metrics.get(i).replaceFirst(".*\"elapsed_s\":([0-9.eE+-]+).*", "$1"));
      assertTrue(now > elapsed, "elapsed_s of step " + (i + 1) + " is " + now + ", after " + elapsed);
      elapsed = now;
    }
    assertTrue(more.err().indexOf("resumed from") < more.err().indexOf("train-lm"), "said before the first step");
    assertTrue(Files.isDirectory(model.resolve("checkpoints/step-00000006")));
    assertFalse(Files.exists(model.resolve("checkpoints/step-00000002")), "only the newest 2 are kept");
    assertTrue(Files.isDirectory(model.resolve("checkpoints/step-00000004")));

    CliTest.Run done = CliTest.run(trainArgs(model, 6, "--master", "local[2]", "--resume"));
    assertEquals(1, done.status(), done.err());
    assertTrue(done.err().contains("nothing to train"), done.err());
    // the checkpoint's own step, not --steps (issue 11, rough edge 6)
    CliTest.Run past = CliTest.run(trainArgs(model, 5, "--master", "local[2]", "--resume"));
    assertEquals(1, past.status(), past.err());
    assertTrue(past.err().contains("is at step 6, past this run's last step 5"), past.err());
    assertTrue(Files.isDirectory(model.resolve("checkpoints/step-00000006")), "checkpoints survive a refused run");
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".partial-")));
    }
  }

  @Test
  void checkpointsInTheModelFolderSurviveHoweverTheirDirectoryIsSpelled() throws Exception {
    Path here = Path.of("").toAbsolutePath();
    Path absolute = dir.resolve("ckpt-absolute");
    Path relative = dir.resolve("ckpt-relative");
    Path uri = dir.resolve("ckpt-uri");
    String[][] spellings = {
        {absolute.toString(), absolute.resolve("checkpoints").toString()},
        {here.relativize(relative).toString(), here.relativize(relative.resolve("checkpoints")).toString()},
        {uri.toString(), uri.resolve("checkpoints").toUri().toString()}};
    for (String[] s : spellings) {
      CliTest.Run r = CliTest.run(trainArgs(Path.of(s[0]), 4, "--master", "local[2]", "--checkpoint-every", "2",
          "--checkpoint-dir", s[1]));
      assertEquals(0, r.status(), r.err());
      Path model = Path.of(s[0]).toAbsolutePath();
      assertTrue(Files.isRegularFile(model.resolve("checkpoints/step-00000004/manifest.json")),
          "checkpoints kept for --checkpoint-dir " + s[1]);
      assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));
    }
    CliTest.Run resumed = CliTest.run(trainArgs(Path.of(spellings[1][0]), 6, "--master", "local[2]", "--resume",
        "--checkpoint-every", "2", "--checkpoint-dir", spellings[1][1]));
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.err().contains("resumed from") && resumed.err().contains("step-00000004"), resumed.err());
    assertTrue(Files.isDirectory(relative.resolve("checkpoints/step-00000006")));

    CliTest.Run inside = CliTest.run(trainArgs(absolute, 4, "--master", "local[2]", "--checkpoint-every", "2",
        "--checkpoint-dir", absolute.resolve("ckpt").toString()));
    assertEquals(1, inside.status(), inside.err());
    assertTrue(inside.err().contains("lies inside the model folder"), inside.err());
  }

  @Test
  void keepingNoCheckpointIsRefused() {
    CliTest.Run r = CliTest.run(trainArgs(dir.resolve("m3"), 4, "--master", "local[2]", "--keep-checkpoints", "0"));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("--keep-checkpoints must be >= 1, got 0"), r.err());
  }

  @Test
  void readsGzippedTextOnTheExecutorsIntoTheInProcessTokens() throws Exception {
    Path gz = dir.resolve("lines.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("the cat sat on the mat.\nthe dog sat on the log.\n".repeat(60).strip()
          .getBytes(StandardCharsets.UTF_8)); // no final newline: the same text both ways
    }
    String[] args = trainArgs(dir.resolve("gz-model"), 2);
    args[2] = gz.toString();
    CliTest.Run local = CliTest.run(args);
    List<String> withMaster = new ArrayList<>(List.of(args));
    withMaster.addAll(List.of("--master", "local[2]"));
    CliTest.Run spark = CliTest.run(withMaster.toArray(new String[0]));
    assertEquals(0, local.status(), local.err());
    assertEquals(0, spark.status(), spark.err());
    Pattern counts = Pattern.compile("vocab \\d+, [\\d,]+ training / [\\d,]+ "
        + "validation tokens");
    Matcher expected = counts.matcher(local.err());
    Matcher actual = counts.matcher(spark.err());
    assertTrue(expected.find() && actual.find(), local.err() + spark.err());
    assertEquals(expected.group(), actual.group());

    withMaster.set(2, dir.resolve("missing.txt").toString());
    CliTest.Run missing = CliTest.run(withMaster.toArray(new String[0]));
    assertEquals(1, missing.status(), missing.err());
    assertTrue(missing.err().contains("missing.txt does not exist"), missing.err());
  }

  @Test
  void sparkOptionsNeedAMaster() {
    CliTest.Run r = CliTest.run(trainArgs(dir.resolve("m2"), 4, "--checkpoint-every", "2"));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("need --master"), r.err());
    assertFalse(Files.exists(dir.resolve("m2")));
  }
}
