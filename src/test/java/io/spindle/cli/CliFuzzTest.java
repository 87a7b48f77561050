package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, fuzzed: a seeded corpus of broken model folders ({@link Mutants} of a real {@code model.safetensors},
 * {@code config.json} and {@code tokenizer.json}) and a table of bad arguments for every command. Every case must
 * end with a non-zero status and exactly one line on stderr, {@code spindle: ...}, naming the input at fault (the
 * file, or the option), with no stack trace, within seconds.
 *
 * <p>The cases run in this JVM, for speed; {@link CliLimitsTest} runs those that need a JVM of their own (a small
 * heap, a hang, a signal, the launcher's stderr) as child processes.
 */
class CliFuzzTest {
  /** Seed of the mutant corpus: the same cases on every run. */
  static final long SEED = 16;
  static final Duration CASE_LIMIT = Duration.ofSeconds(15);

  @TempDir
  static Path dir;
  static Path text;
  static Path model;

  @BeforeAll
  static void trainTinyModel() throws Exception {
    text = CliTest.writeTinyText(dir);
    model = CliTest.trainTiny(text, dir.resolve("model"));
  }

  /** Asserts a refusal: status 1 or 2, one stderr line {@code spindle: ...} holding every fragment, in time. */
  static void assertRefused(CliTest.Run r, Duration took, String... fragments) {
    String err = r.err();
    assertNotEquals(0, r.status(), "status 0; stdout: " + r.out());
    List<String> lines = err.lines().toList();
    assertEquals(1, lines.size(), "one stderr line: " + err);
    String line = lines.get(0);
    assertTrue(line.startsWith("spindle: "), line);
    for (String fragment : fragments) {
      assertTrue(line.contains(fragment), "'" + line + "' lacks '" + fragment + "'");
    }
    assertTrue(!line.contains("Exception") && !line.contains("\tat "), "no exception or stack trace: " + line);
    assertTrue(took.compareTo(CASE_LIMIT) < 0, "took " + took);
  }

  private static void runRefused(String[] args, String... fragments) {
    long start = System.nanoTime();
    CliTest.Run r = CliTest.run(args);
    assertRefused(r, Duration.ofNanos(System.nanoTime() - start), fragments);
  }

  /** Every mutant of each of the three files, alone in an otherwise intact copy of the model folder. */
  @TestFactory
  Stream<DynamicTest> brokenModelFoldersAreRefused() throws Exception {
    Random rnd = new Random(SEED);
    List<Mutants.Mutant> mutants = new ArrayList<>();
    mutants.addAll(Mutants.safetensors(Files.readAllBytes(model.resolve("model.safetensors")), rnd));
    mutants.addAll(Mutants.config(Files.readString(model.resolve("config.json")), rnd));
    mutants.addAll(Mutants.tokenizer(Files.readString(model.resolve("tokenizer.json")), rnd));
    return IntStream.range(0, mutants.size()).mapToObj(i -> {
      Mutants.Mutant m = mutants.get(i);
      return dynamicTest(i + ": " + m.file() + ", " + m.description(), () -> {
        Path folder = Files.createDirectories(dir.resolve("mutant-" + i));
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
          Files.copy(model.resolve(f), folder.resolve(f));
        }
        Files.write(folder.resolve(m.file()), m.bytes());
        String[] args = i % 2 == 0
            ? new String[] {"score", "--model-dir", folder.toString(), "--text", text.toString()}
            : new String[] {"generate", "--model-dir", folder.toString(), "--prompt", "the ", "--max-new-tokens", "5"};
        runRefused(args, folder.toString());
      });
    });
  }

  /** A bad argument: the command line, with what the one line must mention. */
  private record BadArguments(List<String> args, String fragment) {}

  private static BadArguments bad(String fragment, String... args) {
    return new BadArguments(List.of(args), fragment);
  }

  @TestFactory
  Stream<DynamicTest> badArgumentsAreRefused() throws Exception {
    String m = model.toString();
    String t = text.toString();
    Path empty = Files.writeString(dir.resolve("empty.txt"), "");
    Path latin1 = Files.write(dir.resolve("latin1.txt"), "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    Path gz = dir.resolve("text.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("the cat sat on the mat. ".repeat(200).getBytes(StandardCharsets.UTF_8));
    }
    byte[] whole = Files.readAllBytes(gz);
    Path truncated = Files.write(dir.resolve("truncated.gz"), Arrays.copyOf(whole, whole.length - 12));
    Path idsGarbage = Files.writeString(dir.resolve("ids-garbage.txt"), "5 x 7");
    Path idsRange = Files.writeString(dir.resolve("ids-range.txt"), "5 999 7");
    Path idsOverflow = Files.writeString(dir.resolve("ids-overflow.txt"), "5 99999999999");
    Path folder = Files.createDirectories(dir.resolve("a-folder"));
    Path thesis = Files.createDirectories(dir.resolve("thesis"));
    Files.writeString(thesis.resolve("chapter1.tex"), "my work");
    String missing = dir.resolve("missing.txt").toString();
    String underAFile = text.resolve("model").toString();
    String[] train = {"train-lm", "--text", t, "--model-dir", dir.resolve("never-written").toString()};
    List<BadArguments> cases = new ArrayList<>(List.of(
        bad("--batch-size must be >= 1", "score", "--model-dir", m, "--text", t, "--batch-size", "0"),
        bad("--batch-size", "score", "--model-dir", m, "--text", t, "--batch-size", "-5"),
        bad("--batch-size", "score", "--model-dir", m, "--text", t, "--batch-size", "99999999999"),
        bad(folder + " is a folder", "score", "--model-dir", m, "--text", folder.toString()),
        bad("text file - does not exist", "score", "--model-dir", m, "--text", "-"),
        bad(missing + " does not exist", "score", "--model-dir", m, "--text", missing),
        bad(empty + " has 0 tokens", "score", "--model-dir", m, "--text", empty.toString()),
        bad(truncated + ": gzip data is truncated", "score", "--model-dir", m, "--text", truncated.toString()),
        bad(latin1 + ": not valid UTF-8", "score", "--model-dir", m, "--text", latin1.toString()),
        bad(idsGarbage + ": 'x' at position 1", "score", "--model-dir", m, "--token-ids", idsGarbage.toString()),
        bad(idsRange + ": token id 999 at position 1", "score", "--model-dir", m, "--token-ids",
            idsRange.toString()),
        bad(idsOverflow + ": '99999999999'", "score", "--model-dir", m, "--token-ids", idsOverflow.toString()),
        bad(folder + " is a folder", "score", "--model-dir", m, "--token-ids", folder.toString()),
        bad("mutually exclusive", "score", "--model-dir", m, "--text", t, "--token-ids", idsRange.toString()),
        bad("model folder " + t, "score", "--model-dir", t, "--text", t),
        bad("model folder / has no config.json", "score", "--model-dir", "/", "--text", t),
        bad("model folder " + missing, "score", "--model-dir", missing, "--text", t),
        bad("--temperature", "generate", "--model-dir", m, "--prompt", "the", "--temperature", "NaN"),
        bad("--temperature", "generate", "--model-dir", m, "--prompt", "the", "--temperature", "-1"),
        bad("--temperature", "generate", "--model-dir", m, "--prompt", "the", "--temperature", "Infinity"),
        bad("--temperature", "generate", "--model-dir", m, "--prompt", "the", "--temperature", "1e999"),
        bad("--temperature", "generate", "--model-dir", m, "--prompt", "the", "--temperature", "warm"),
        bad("--top-k", "generate", "--model-dir", m, "--prompt", "the", "--top-k", "-1"),
        bad("--max-new-tokens", "generate", "--model-dir", m, "--prompt", "the", "--max-new-tokens", "-1"),
        bad("--max-new-tokens", "generate", "--model-dir", m, "--prompt", "the", "--max-new-tokens", "2147483648"),
        bad("--seed", "generate", "--model-dir", m, "--prompt", "the", "--seed", "x"),
        bad("the prompt is empty", "generate", "--model-dir", m, "--prompt", ""),
        bad("not in the vocabulary", "generate", "--model-dir", m, "--prompt", "zebra!"),
        bad("model folder / has no config.json", "generate", "--model-dir", "/", "--prompt", "the"),
        bad("--prompt", "generate", "--model-dir", m),
        bad("--threads 100000 is more than --batch-size 32", with(train, "--threads", "100000")),
        bad("--batch-size 2147483647", with(train, "--batch-size", "2147483647")),
        bad("--batch-size 100000", with(train, "--batch-size", "100000")),
        bad("training this model needs about", with(train, "--batch-size", "4000")),
        bad("--n-layer 100000", with(train, "--n-layer", "100000")),
        bad("--block-size 2147483647", with(train, "--block-size", "2147483647")),
        bad("--n-embd (30) must be divisible by --n-head (4)", with(train, "--n-embd", "30", "--n-head", "4")),
        bad("--min-lr must be in [0, --lr", with(train, "--min-lr", "1")),
        bad("--decay-over-time needs --max-minutes > 0", with(train, "--decay-over-time")),
        bad("need --master", with(train, "--checkpoint-every", "5")),
        bad("--tokenizer must be char, word or bpe", with(train, "--tokenizer", "wordpiece")),
        bad("--vocab-size must be at least 260 for --tokenizer bpe", with(train, "--tokenizer", "bpe",
            "--vocab-size", "100")),
        bad("--optimizer must be one of", with(train, "--optimizer", "adam")),
        bad("--schedule must be one of", with(train, "--schedule", "linear")),
        bad("--early-stopping needs validation tokens", with(train, "--early-stopping", "2", "--val-fraction", "0")),
        bad(text + " is a file, not a folder", "train-lm", "--text", t, "--model-dir", underAFile),
        bad("--model-dir / is a file system root", "train-lm", "--text", t, "--model-dir", "/"),
        bad(thesis + " is not a Spindle model folder", "train-lm", "--text", t, "--model-dir", thesis.toString()),
        bad("text file " + missing + " does not exist", "train-lm", "--text", missing),
        bad("text file " + folder, "train-lm", "--text", folder.toString()),
        bad("text file - does not exist", "train-lm", "--text", "-"),
        bad(empty + " is empty", "train-lm", "--text", empty.toString()),
        bad(truncated + ": gzip data is truncated", "train-lm", "--text", truncated.toString(), "--model-dir",
            dir.resolve("never-written").toString()),
        bad(latin1 + ": not valid UTF-8", "train-lm", "--text", latin1.toString(), "--model-dir",
            dir.resolve("never-written").toString()),
        bad("Unknown option: '--bogus'", with(train, "--bogus")),
        bad("Missing required option: '--text=PATH'", "train-lm")));
    String[][] outOfRange = {{"--lr", "NaN"}, {"--lr", "0"}, {"--lr", "-1"}, {"--lr", "Infinity"},
        {"--min-lr", "-1"}, {"--dropout", "1"}, {"--dropout", "-0.1"}, {"--dropout", "NaN"}, {"--val-fraction", "1"},
        {"--val-fraction", "-0.5"}, {"--val-fraction", "NaN"}, {"--beta2", "1"}, {"--beta2", "-0.1"},
        {"--grad-clip", "-1"}, {"--weight-decay", "-1"}, {"--max-minutes", "-1"}, {"--max-minutes", "Infinity"},
        {"--threads", "-1"}, {"--batch-size", "0"}, {"--n-layer", "0"}, {"--n-head", "0"}, {"--n-embd", "0"},
        {"--block-size", "0"}, {"--steps", "0"}, {"--warmup", "-1"}, {"--eval-every", "-1"},
        {"--eval-batches", "-1"}, {"--sample-tokens", "-1"}, {"--micro-batches", "0"}, {"--keep-checkpoints", "0"},
        {"--partitions", "0"}, {"--checkpoint-every", "-1"}, {"--aggregation-depth", "-1"}, {"--seed", "1.5"},
        {"--vocab-size", "4"}, {"--momentum", "1"}, {"--momentum", "-0.5"}, {"--momentum", "NaN"},
        {"--early-stopping", "-1"}};
    for (String[] option : outOfRange) {
      cases.add(bad(option[0], with(train, option)));
    }
    return cases.stream().map(c -> dynamicTest(String.join(" ", c.args()).replace(dir.toString(), "DIR"),
        () -> runRefused(c.args().toArray(new String[0]), c.fragment())));
  }

  /** Large sizes that are harmless get through: more windows per pass than the text has are just all of them. */
  @Test
  void aBatchLargerThanTheTextIsCappedNotRefused() {
    CliTest.Run r = CliTest.run("score", "--model-dir", model.toString(), "--text", text.toString(), "--batch-size",
        "2147483647");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\"tokens\":2399"), r.out());
  }

  private static String[] with(String[] base, String... more) {
    String[] all = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
