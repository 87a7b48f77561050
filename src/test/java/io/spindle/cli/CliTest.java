package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: a tiny training run, scoring, generation, and every bad-input path. */
class CliTest {
  @TempDir
  static Path dir;
  static Path text;
  static Path model;

  /** What a run printed and returned. */
  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int status = Main.run(args);
      return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** Writes the text of the tiny runs, one sentence 100 times, to {@code dir/text.txt}. */
  static Path writeTinyText(Path dir) throws IOException {
    Path t = dir.resolve("text.txt");
    Files.writeString(t, "the cat sat on the mat. ".repeat(100));
    return t;
  }

  /** {@code train-lm} arguments of a tiny 2-step model on {@code text}: one thread, no evaluation, no sample. */
  static String[] tinyTrainArgs(Path text, String modelDir) {
    return new String[] {"train-lm", "--text", text.toString(), "--model-dir", modelDir, "--steps", "2",
        "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4",
        "--eval-every", "0", "--sample-tokens", "0", "--threads", "1"};
  }

  /** Trains the tiny model of {@link #tinyTrainArgs} into {@code modelDir}, asserting that it trained. */
  static Path trainTiny(Path text, Path modelDir) {
    Run r = run(tinyTrainArgs(text, modelDir.toString()));
    assertEquals(0, r.status(), r.err());
    return modelDir;
  }

  @BeforeAll
  static void trainTinyModel() throws Exception {
    text = dir.resolve("text.txt");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      sb.append("the cat sat on the mat. ");
    }
    Files.writeString(text, sb.toString());
    model = dir.resolve("model");
    Run r = run("train-lm", "--text", text.toString(), "--model-dir", model.toString(), "--steps", "5",
        "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4",
        "--eval-every", "2", "--sample-tokens", "10");
    assertEquals(0, r.status(), r.err());
  }

  @Test
  void trainLmWritesACompleteFolderAndMetrics() throws Exception {
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "metrics.jsonl"}) {
      assertTrue(Files.isRegularFile(model.resolve(f)), f);
    }
    List<String> lines = Files.readAllLines(model.resolve("metrics.jsonl"));
    assertEquals(5, lines.size());
    JsonNode second = new ObjectMapper().readTree(lines.get(1));
    for (String field : new String[] {"step", "loss", "lr", "tokens_per_sec", "elapsed_s", "val_loss"}) {
      assertTrue(second.has(field), field + " in " + second);
    }
    assertFalse(new ObjectMapper().readTree(lines.get(0)).has("val_loss"));
    try (Stream<Path> s = Files.list(dir)) {
      List<String> names = s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
      assertTrue(names.stream().noneMatch(n -> n.contains(".partial-")), names.toString());
    }
  }

  @Test
  void scorePrintsLossTokensPerplexity() throws Exception {
    Run r = run("score", "--model-dir", model.toString(), "--text", text.toString());
    assertEquals(0, r.status(), r.err());
    JsonNode o = new ObjectMapper().readTree(r.out());
    double loss = o.get("loss").asDouble();
    assertEquals(Math.exp(loss), o.get("perplexity").asDouble(), 1e-9 * Math.exp(loss));
    assertEquals(Files.readString(text).length() - 1, o.get("tokens").asLong());

    Path ids = dir.resolve("ids.txt");
    Files.writeString(ids, "5 6 7\n8 5");
    Run byIds = run("score", "--model-dir", model.toString(), "--token-ids", ids.toString());
    assertEquals(0, byIds.status(), byIds.err());
    assertEquals(4, new ObjectMapper().readTree(byIds.out()).get("tokens").asLong());
  }

  @Test
  void generateContinuesThePrompt() {
    Run r = run("generate", "--model-dir", model.toString(), "--prompt", "the c", "--max-new-tokens", "7");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("the c"), r.out());
  }

  @Test
  void bpeModelsLearnSubwordsAndGenerateFromAnyPrompt() throws Exception {
    Path bpe = dir.resolve("bpe-model");
    Run r = run("train-lm", "--text", text.toString(), "--model-dir", bpe.toString(), "--tokenizer", "bpe",
        "--vocab-size", "270", "--steps", "2", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "8",
        "--batch-size", "2", "--sample-tokens", "0");
    assertEquals(0, r.status(), r.err());
    io.spindle.data.Tokenizer tok = io.spindle.data.Tokenizer.load(bpe.resolve("tokenizer.json"));
    assertEquals("bpe", tok.type());
    assertEquals(270, tok.vocabSize(), "4 specials, 256 bytes and 10 merges");
    Run generated = run("generate", "--model-dir", bpe.toString(), "--prompt", "zebra! ✓", "--max-new-tokens", "3");
    assertEquals(0, generated.status(), generated.err());
    assertTrue(generated.out().startsWith("zebra! ✓"), generated.out());
  }

  private static void assertOneLineError(Run r, int status, String fragment) {
    assertEquals(status, r.status(), r.err());
    assertTrue(r.err().contains(fragment), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void badInputGivesOneClearLine() throws Exception {
    assertOneLineError(run("train-lm", "--text", dir.resolve("missing.txt").toString()), 1, "does not exist");
    Path empty = dir.resolve("empty.txt");
    Files.writeString(empty, "");
    assertOneLineError(run("train-lm", "--text", empty.toString()), 1, "is empty");
    assertOneLineError(run("train-lm", "--text", text.toString(), "--n-embd", "30", "--n-head", "4"), 1,
        "divisible");
    assertOneLineError(run("train-lm", "--bogus", "--text", text.toString()), 2, "Unknown option: '--bogus'");
    assertOneLineError(run("train-lm"), 2, "Missing required option: '--text=PATH'");
    assertOneLineError(run("train-lm", "--text", text.toString(), "--tokenizer", "bpe", "--vocab-size", "100"), 1,
        "--vocab-size must be at least 260");
    assertOneLineError(run("train-lm", "--text", text.toString(), "--tokenizer", "bytes"), 1,
        "--tokenizer must be char, word or bpe");
    assertOneLineError(run("train-lm", "--text", text.toString(), "--decay-over-time"), 1,
        "--decay-over-time needs --max-minutes > 0");
    assertOneLineError(run("generate", "--model-dir", model.toString(), "--prompt", "zebra!"), 1,
        "not in the vocabulary");
    assertOneLineError(run("score", "--model-dir", dir.resolve("nope").toString(), "--text", text.toString()), 1,
        "does not exist");
  }

  @Test
  void aLearningRateThatBreaksTheModelStopsTrainingAndSavesNothing() {
    Path broken = dir.resolve("lr-too-high");
    Run r = run("train-lm", "--text", text.toString(), "--model-dir", broken.toString(), "--steps", "20",
        "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4",
        "--eval-every", "0", "--sample-tokens", "0", "--threads", "1", "--lr", "1e30");
    assertOneLineError(r, 1, "training stopped");
    assertFalse(Files.exists(broken), "no model folder of non-finite or broken weights");
  }

  @Test
  void aFolderHoldingOnlyCheckpointsSaysHowToResume() throws Exception {
    Path interrupted = dir.resolve("interrupted");
    Files.createDirectories(interrupted.resolve("checkpoints/step-00000004"));
    assertOneLineError(run("score", "--model-dir", interrupted.toString(), "--text", text.toString()), 1,
        "holds only the checkpoints of an interrupted Spark run");
    assertOneLineError(run("generate", "--model-dir", interrupted.toString(), "--prompt", "the"), 1,
        "train-lm --resume");
  }

  @Test
  void verboseAddsTheStackTrace() {
    Run r = run("generate", "--model-dir", dir.resolve("nope").toString(), "--prompt", "x", "--verbose");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("\tat "), r.err());
  }

  @Test
  void modelFolderWithMissingOrMisshapenTensorsIsRejected() throws Exception {
    Path broken = dir.resolve("broken");
    Files.createDirectories(broken);
    for (String f : new String[] {"config.json", "tokenizer.json"}) {
      Files.copy(model.resolve(f), broken.resolve(f));
    }
    // same files but a config that needs a wider model: every tensor has the wrong shape
    Files.writeString(broken.resolve("config.json"),
        Files.readString(model.resolve("config.json")).replace("\"n_embd\" : 16", "\"n_embd\" : 32"));
    Files.copy(model.resolve("model.safetensors"), broken.resolve("model.safetensors"));
    assertOneLineError(run("generate", "--model-dir", broken.toString(), "--prompt", "the"), 1, "shape");
    Files.delete(broken.resolve("model.safetensors"));
    assertOneLineError(run("generate", "--model-dir", broken.toString(), "--prompt", "the"), 1,
        "model.safetensors");
  }

  @Test
  void stagedFolderNotCommittedLeavesNothing() throws Exception {
    Path target = dir.resolve("staged");
    try (StagedFolder staged = StagedFolder.create(target)) {
      Files.writeString(staged.path().resolve("half.txt"), "x");
    }
    assertFalse(Files.exists(target));
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".staged.partial-")));
    }
  }
}
