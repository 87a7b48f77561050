package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextsTest {
  private static final String TEXT = "hacker n. [originally, someone who makes furniture with an axe]\n╔═╗ 😀\n";

  @Test
  void readsPlainAndGzippedUtf8Alike(@TempDir Path dir) throws IOException {
    Path plain = dir.resolve("jargon.txt");
    Files.writeString(plain, TEXT, StandardCharsets.UTF_8);
    Path gz = dir.resolve("jargon.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(TEXT.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(TEXT, Texts.read(plain));
    assertEquals(TEXT, Texts.read(gz));
  }

  @Test
  void dropsAByteOrderMarkAndRejectsInvalidUtf8(@TempDir Path dir) throws IOException {
    Path bom = dir.resolve("bom.txt");
    Files.writeString(bom, "\uFEFFabc", StandardCharsets.UTF_8);
    assertEquals("abc", Texts.read(bom));
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, "caf\u00e9!".getBytes(StandardCharsets.ISO_8859_1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Texts.read(latin1));
    assertTrue(e.getMessage().contains("byte offset 3 (byte 0xe9)") && e.getMessage().contains("latin1.txt"),
        e.getMessage());
  }

  @Test
  void aTextOverTheLimitIsRefusedBeforeItIsHeld(@TempDir Path dir) throws IOException {
    Path plain = dir.resolve("big.txt");
    Files.writeString(plain, "x".repeat(1000));
    assertEquals(1000, Texts.read(plain, 1000, "test").length());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Texts.read(plain, 999, "raise the test limit"));
    assertTrue(e.getMessage().contains(plain + " has 1,000 bytes, more than the limit of 999 bytes")
        && e.getMessage().contains("raise the test limit"), e.getMessage());
    Path gz = dir.resolve("big.txt.gz"); // 1000 bytes that compress to a few dozen: the limit counts what they hold
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("x".repeat(1000).getBytes(StandardCharsets.UTF_8));
    }
    e = assertThrows(IllegalArgumentException.class, () -> Texts.read(gz, 999, "test"));
    assertTrue(e.getMessage().contains(gz + " holds more than the limit of 999 bytes once decompressed"),
        e.getMessage());
  }

  @Test
  void anEndlessStreamIsCutAtTheLimit() throws IOException {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.isReadable(zero), "no /dev/zero");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Texts.read(zero, 1 << 20, "test"));
    assertTrue(e.getMessage().contains("/dev/zero holds more than the limit of 1,048,576 bytes"), e.getMessage());
  }

  @Test
  void aFolderAMissingFileAndBrokenGzipNameTheFile(@TempDir Path dir) throws IOException {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Texts.read(dir)).getMessage()
        .contains(dir + " is a folder"));
    Path missing = dir.resolve("missing.txt");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Texts.read(missing)).getMessage()
        .contains(missing + " does not exist"));
    Path gz = dir.resolve("text.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(TEXT.repeat(50).getBytes(StandardCharsets.UTF_8));
    }
    byte[] whole = Files.readAllBytes(gz);
    Path truncated = dir.resolve("truncated.gz");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Texts.read(truncated));
    assertTrue(e.getMessage().contains(truncated + ": gzip data is truncated or corrupt"), e.getMessage());
    Path corrupt = dir.resolve("corrupt.gz");
    whole[whole.length / 2] ^= 0x5a;
    whole[whole.length / 2 + 1] ^= 0x33;
    Files.write(corrupt, whole);
    e = assertThrows(IllegalArgumentException.class, () -> Texts.read(corrupt));
    assertTrue(e.getMessage().contains(corrupt.toString()), e.getMessage());
  }

  @Test
  void splitsFortunesOnPercentLines(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("fortunes");
    Files.writeString(file, "First.\n%\nSecond,\n  two lines.\n\n%\n%\r\nThird 100% sure.\r\n%\n");
    assertEquals(List.of("First.", "Second,\n  two lines.", "Third 100% sure."), Fortunes.read(file));
    assertEquals(List.of("no separator"), Fortunes.parse("no separator"));
  }

  @Test
  void readsTheJargonFileIfInstalled() throws IOException {
    Path file = Path.of("/usr/share/doc/jargon-text/jargon.txt.gz");
    assumeTrue(Files.isReadable(file), "no " + file + " (apt package jargon-text)");
    String text = Texts.read(file);
    assertTrue(text.length() > 1_000_000, "length " + text.length());
    assertTrue(text.contains("The Jargon File"));
    assertTrue(text.contains("═"), "box drawing characters survive UTF-8 decoding");
  }

  @Test
  void readsTheFortunesIfInstalled() throws IOException {
    Path file = Path.of("/usr/share/games/fortunes/fortunes");
    assumeTrue(Files.isReadable(file), "no " + file + " (apt package fortunes)");
    List<String> entries = Fortunes.read(file);
    assertTrue(entries.size() > 100, "entries " + entries.size());
    assertTrue(entries.stream().noneMatch(e -> e.isBlank() || e.lines().anyMatch("%"::equals)));
  }
}
