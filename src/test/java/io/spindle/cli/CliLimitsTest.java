package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line in a JVM of its own with a 512 MiB heap, through {@code bin/spindle}, as a user runs it: sizes
 * that cannot fit (a config with a billion layers, a thread or batch count the heap cannot hold, a text larger than
 * the heap or one that never ends) are refused at once, in one line on stderr, before anything is allocated; a
 * generation of a billion tokens streams in bounded memory; SIGTERM stops every command within seconds.
 *
 * <p>Child JVMs take a second or more to start, so this is a representative subset: {@link CliFuzzTest} runs the
 * whole table of bad input in the test JVM (the billion layers and the batch sizes for both commands among them).
 */
class CliLimitsTest {
  static final String HEAP = "512m";
  /** Generous for a JVM start on a loaded machine; a refusal itself takes milliseconds. */
  static final Duration REFUSAL_LIMIT = Duration.ofSeconds(40);
  static final Duration STOP_LIMIT = Duration.ofSeconds(10);

  @TempDir
  static Path dir;
  static Path text;
  static Path model;

  @BeforeAll
  static void trainTinyModel() throws Exception {
    text = CliTest.writeTinyText(dir);
    model = CliTest.trainTiny(text, dir.resolve("model"));
  }

  private static ChildCli.Run child(String... args) throws Exception {
    return ChildCli.run(dir, HEAP, Map.of(), REFUSAL_LIMIT.plusSeconds(20), args);
  }

  /** Refused: status 1 or 2 well within the limit, stderr exactly one line {@code spindle: ...} with the fragments. */
  private static void assertRefused(ChildCli.Run r, String... fragments) {
    assertFalse(r.timedOut(), "hung; stderr: " + r.err());
    assertTrue(r.status() == 1 || r.status() == 2, "status " + r.status() + ": " + r.err());
    List<String> lines = r.errLines();
    assertEquals(1, lines.size(), "one stderr line, the first being Spindle's: " + r.err());
    assertTrue(lines.get(0).startsWith("spindle: "), lines.get(0));
    for (String fragment : fragments) {
      assertTrue(lines.get(0).contains(fragment), "'" + lines.get(0) + "' lacks '" + fragment + "'");
    }
    assertTrue(r.wall().compareTo(REFUSAL_LIMIT) < 0, "took " + r.wall());
  }

  @Test
  void aConfigOfABillionLayersIsRefusedAtOnce() throws Exception {
    Path huge = Files.createDirectories(dir.resolve("billion-layers"));
    for (String f : new String[] {"model.safetensors", "tokenizer.json"}) {
      Files.copy(model.resolve(f), huge.resolve(f));
    }
    Files.writeString(huge.resolve("config.json"), Files.readString(model.resolve("config.json"))
        .replace("\"n_layer\" : 1", "\"n_layer\" : 1000000000"));
    assertRefused(child("generate", "--model-dir", huge.toString(), "--prompt", "the"),
        huge.resolve("config.json").toString(), "n_layer 1000000000");
  }

  @Test
  void threadsAndBatchesTheHeapCannotHoldAreRefusedBeforeTraining() throws Exception {
    String[] train = {"train-lm", "--text", text.toString(), "--model-dir", dir.resolve("never").toString()};
    assertRefused(child(with(train, "--threads", "100000")), "--threads 100000");
    // Fits in a buffer, not in this heap: the activations of 512 x 128 x 128 x 4 are about 6.4 GiB.
    assertRefused(child(with(train, "--batch-size", "512")), "training this model needs about",
        "--batch-size 512 x --block-size 128", "SPINDLE_JAVA_OPTS=-Xmx");
    assertFalse(Files.exists(dir.resolve("never")));
  }

  @Test
  void textsLargerThanTheHeapOrEndlessAreRefusedUnread() throws Exception {
    Path big = dir.resolve("big.txt"); // 1.2 GB of zero bytes, sparse: it takes no disk
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(1_200_000_000L);
    }
    assertRefused(child("train-lm", "--text", big.toString(), "--model-dir", dir.resolve("never").toString()),
        "text file " + big + " has 1,200,000,000 bytes, more than the limit", "--master");
    Path zero = Path.of("/dev/zero");
    if (Files.isReadable(zero)) {
      assertRefused(child("score", "--model-dir", model.toString(), "--text", zero.toString()),
          "/dev/zero holds more than the limit of");
    }
  }

  @Test
  void aBillionTokenGenerationStreamsAndStopsOnSigterm() throws Exception {
    ChildCli.Started g = ChildCli.start(dir, HEAP, Map.of(), "generate", "--model-dir", model.toString(), "--prompt",
        "the ", "--max-new-tokens", "1000000000");
    awaitOutput(g, () -> g.outSoFar().length() > 2000, "generated text");
    ChildCli.Run r = assertStopsOnSigterm(g);
    assertTrue(r.out().startsWith("the "), r.out());
    assertEquals("", r.err(), "nothing on stderr: no JVM warning, no log line");
  }

  @Test
  void trainingStopsOnSigtermAndLeavesNoPartialFolder() throws Exception {
    Path target = dir.resolve("interrupted");
    ChildCli.Started t = ChildCli.start(dir, HEAP, Map.of(), "train-lm", "--text", text.toString(), "--model-dir",
        target.toString(), "--steps", "1000000", "--n-layer", "1", "--n-head", "2", "--n-embd", "16",
        "--block-size", "16", "--batch-size", "4", "--eval-every", "0");
    awaitOutput(t, () -> t.errSoFar().contains("1000000 steps"), "the progress line");
    assertStopsOnSigterm(t);
    assertFalse(Files.exists(target));
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".interrupted.")), "partial folder left");
    }
  }

  @Test
  void scoringStopsOnSigterm() throws Exception {
    Path longText = Files.writeString(dir.resolve("long.txt"), "the cat sat on the mat. ".repeat(400_000)); // 9.6 MB
    ChildCli.Started s = ChildCli.start(dir, HEAP, Map.of(), "score", "--model-dir", model.toString(), "--text",
        longText.toString());
    Thread.sleep(4000); // loading, reading or scoring: any of them must stop
    assertTrue(s.process().isAlive(), "scoring 9.6 million tokens ended early: " + s.errSoFar());
    assertStopsOnSigterm(s);
  }

  private static void awaitOutput(ChildCli.Started child, BooleanSupplier ready, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + REFUSAL_LIMIT.toNanos();
    while (!ready.getAsBoolean()) {
      assertTrue(child.process().isAlive(), "ended before " + what + ": " + child.errSoFar());
      assertTrue(System.nanoTime() < deadline, "no " + what + " after " + REFUSAL_LIMIT);
      Thread.sleep(100);
    }
  }

  /**
   * SIGTERM ends the child within the limit, with the JVM's status for it (143). The signal is sent as a user's
   * {@code kill} sends it, through the {@link ProcessHandle}: {@link Process#destroy()} would also close the pipes
   * of the child's output, and a generation that sees its standard output closed stops by itself, with status 0,
   * racing the signal.
   */
  private static ChildCli.Run assertStopsOnSigterm(ChildCli.Started child) throws InterruptedException {
    long start = System.nanoTime();
    assertTrue(child.process().toHandle().destroy(), "SIGTERM not sent");
    ChildCli.Run r = child.finish(STOP_LIMIT.plusSeconds(20));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertFalse(r.timedOut(), "SIGTERM ignored; stderr: " + r.err());
    assertEquals(143, r.status(), r.err());
    assertTrue(took.compareTo(STOP_LIMIT) < 0, "stopping took " + took);
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
    return r;
  }

  private static String[] with(String[] base, String... more) {
    return Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
  }
}
