package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spindle rl} end to end on a tiny model: in process, on Spark, and its bad inputs. */
class RlCliTest {
  @TempDir
  static Path dir;
  static Path model;
  static Path prompts;

  @BeforeAll
  static void trainTinyModelAndWritePrompts() throws Exception {
    Path text = dir.resolve("text.txt");
    Files.writeString(text, "the cat sat on the mat. ".repeat(200));
    model = dir.resolve("model");
    CliTest.Run r = CliTest.run("train-lm", "--text", text.toString(), "--model-dir", model.toString(), "--steps",
        "3", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "24", "--batch-size", "4",
        "--eval-every", "0", "--sample-tokens", "0");
    assertEquals(0, r.status(), r.err());
    prompts = dir.resolve("prompts.txt");
    Files.writeString(prompts, "the cat\n\nsat on\nthe m\na mat\n");
  }

  private static List<String> args(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("rl", "--model-dir", model.toString(), "--prompts",
        prompts.toString(), "--reward", "vowels", "--out-dir", out.toString(), "--steps", "2", "--batch-size", "2",
        "--samples", "3", "--max-new-tokens", "8", "--stop", ".", "--report-prompts", "3", "--report-shown", "2"));
    args.addAll(List.of(extra));
    return args;
  }

  /** The folder, a metrics line per step with the RL metrics, and the before/after report. */
  private static void assertFineTuned(Path out, CliTest.Run r) throws Exception {
    assertEquals(0, r.status(), r.err());
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "metrics.jsonl"}) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(2, lines.size());
    for (String line : lines) {
      JsonNode m = json.readTree(line);
      for (String field : new String[] {"reward", "kl", "entropy", "max_length_share", "completion_tokens"}) {
        assertTrue(m.path(field).isNumber(), field + " in " + line);
      }
      double reward = m.get("reward").asDouble();
      assertTrue(reward >= 0 && reward <= 1, "a vowel share: " + reward);
      assertTrue(m.get("completion_tokens").asDouble() <= 8);
    }
    String[] out2 = r.out().split("\n");
    assertTrue(out2[0].startsWith("{\"model\":\"start\",\"samples\":3,"), r.out());
    assertTrue(out2[1].startsWith("{\"model\":\"tuned\",\"samples\":3,"), r.out());
    assertTrue(out2[2].startsWith("prompt: the cat"), r.out());
    assertTrue(r.out().contains("prompt: sat on"), "the empty line is skipped: " + r.out());
  }

  @Test
  void fineTunesInProcess() throws Exception {
    Path out = dir.resolve("tuned");
    assertFineTuned(out, CliTest.run(args(out, "--threads", "2").toArray(new String[0])));
  }

  @Test
  void fineTunesOnSpark() throws Exception {
    Path out = dir.resolve("tuned-spark");
    CliTest.Run r = CliTest.run(args(out, "--master", "local[2]", "--partitions", "2").toArray(new String[0]));
    assertFineTuned(out, r);
    assertTrue(r.err().contains("2 partitions"), r.err());
  }

  private static void assertOneLineError(CliTest.Run r, String fragment) {
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains(fragment), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void badInputGivesOneClearLine() throws Exception {
    assertOneLineError(CliTest.run(args(model).toArray(new String[0])), "--out-dir must differ from --model-dir");
    List<String> badReward = args(dir.resolve("x"));
    badReward.set(badReward.indexOf("vowels"), "length:9");
    assertOneLineError(CliTest.run(badReward.toArray(new String[0])), "expected length:MIN-MAX");
    Path unknown = dir.resolve("unknown.txt");
    Files.writeString(unknown, "the cat\nzebra!\n");
    List<String> badPrompt = args(dir.resolve("x"));
    badPrompt.set(badPrompt.indexOf(prompts.toString()), unknown.toString());
    assertOneLineError(CliTest.run(badPrompt.toArray(new String[0])), "line 1");
    List<String> badStop = args(dir.resolve("x"));
    badStop.set(badStop.indexOf("--stop") + 1, "xy");
    assertOneLineError(CliTest.run(badStop.toArray(new String[0])), "--stop 'xy' is not a token");
    List<String> oneSample = args(dir.resolve("x"));
    oneSample.set(oneSample.indexOf("--samples") + 1, "1");
    assertOneLineError(CliTest.run(oneSample.toArray(new String[0])), "samples per prompt must be >= 2");
    assertFalse(Files.exists(dir.resolve("x")), "nothing written");
  }
}
