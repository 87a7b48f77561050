package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonTest {
  private static final String TEXT = "The Jargon File ╔═╗ 😀 — hacker's slang, since 1975.\n";

  @Test
  void charTokenizerSurvivesSaveAndLoad(@TempDir Path dir) throws IOException {
    Tokenizer t = CharTokenizer.learn(List.of(TEXT), TokenizerOptions.defaults().withMaxVocabSize(30));
    Path file = dir.resolve(Tokenizer.FILE_NAME);
    t.save(file);
    Tokenizer loaded = Tokenizer.load(file);
    assertInstanceOf(CharTokenizer.class, loaded);
    assertEquals(t, loaded);
    assertEquals(t.options(), loaded.options());
    assertArrayEquals(t.encode(TEXT), loaded.encode(TEXT));
    String json = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(json.contains("\"type\" : \"char\""), json);
  }

  @Test
  void wordTokenizerSurvivesWriteAndRead() throws IOException {
    Tokenizer t = WordTokenizer.learn(List.of(TEXT),
        TokenizerOptions.defaults().withSpecials(Special.PAD, Special.EOS).withLowercase(true));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.write(out);
    Tokenizer loaded = Tokenizer.read(new ByteArrayInputStream(out.toByteArray()));
    assertInstanceOf(WordTokenizer.class, loaded);
    assertEquals(t, loaded);
    assertArrayEquals(t.encode(TEXT.toUpperCase()), loaded.encode(TEXT.toUpperCase()));
    assertEquals(1, loaded.eosId());
  }

  @Test
  void readsAHandWrittenFile() throws IOException {
    Tokenizer t = read("""
        {"format": "spindle-tokenizer", "version": 1, "type": "char",
         "options": {"minCount": 2, "maxVocabSize": 10, "lowercase": false},
         "specials": {"pad": 0, "eos": 1},
         "vocab": ["<pad>", "<eos>", "b", "a"], "comment": "extra fields are ignored"}""");
    assertArrayEquals(new int[] {3, 2}, t.encode("ab"));
    assertEquals(new TokenizerOptions(EnumSet.of(Special.PAD, Special.EOS), 2, 10, false), t.options());
  }

  @Test
  void rejectsInvalidFilesNamingTheProblem() {
    String good = """
        {"format": "spindle-tokenizer", "version": 1, "type": "char",
         "options": {"minCount": 1, "maxVocabSize": null, "lowercase": false},
         "specials": {"pad": 0, "unk": 1},
         "vocab": ["<pad>", "<unk>", "a", "b"]}""";
    assertRejected(good.replace("\"char\"", "\"bytes\""), "bad type 'bytes'");
    assertRejected(good.replace("\"char\"", "\"bpe\""), "tokenizer.json: missing field 'merges'");
    assertRejected(good.replace("\"type\": \"char\",", ""), "missing field 'type'");
    assertRejected(good.replace("\"minCount\": 1, ", ""), "missing field 'minCount'");
    assertRejected(good.replace("\"a\", \"b\"", "\"a\", \"b\", \"a\""), "duplicate token 'a' at ids 2 and 4");
    assertRejected(good.replace("\"unk\": 1", "\"unk\": 3"), "special unk has id 3, expected 1");
    assertRejected(good.replace("\"unk\": 1", "\"unknown\": 1"), "unknown special token 'unknown'");
    assertRejected(good.replace("[\"<pad>\", \"<unk>\"", "[\"<unk>\", \"<pad>\""), "vocab[0]");
    assertRejected(good.replace("\"a\", \"b\"", "\"ab\""), "not a single code point");
    assertRejected(good.replace("\"maxVocabSize\": null", "\"maxVocabSize\": 3"), "exceed maxVocabSize 3");
    assertRejected(good.replace("\"version\": 1", "\"version\": 2"), "unsupported version 2");
    assertRejected(good.replace("\"lowercase\": false", "\"lowercase\": \"no\""), "options.lowercase");
    assertRejected(good.replace("\"vocab\":", "\"vocab\": 1, \"vocab\":"), "not valid JSON");
    assertRejected("[1, 2]", "top level");
    assertRejected("{\"format\": ", "not valid JSON");
  }

  @Test
  void loadNamesTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(file));
    assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("'format'"), e.getMessage());
  }

  private static Tokenizer read(String json) throws IOException {
    return Tokenizer.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertRejected(String json, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(json), json);
    assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
  }
}
