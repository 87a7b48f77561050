package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MoCatalogTest {
  private static final String HEADER = "Content-Type: text/plain; charset=UTF-8\n";

  /** Entries as written by msgfmt: sorted msgids; the header, a context entry and a plural entry to be skipped. */
  private static final String[][] ENTRIES = {
      {"", HEADER},
      {"Hello", "Hallo"},
      {"file\0files", "Datei\0Dateien"},
      {"menu\u0004Open", "Öffnen"},
      {"world 🌍", "Welt 🌍"},
  };

  /** A .mo file laid out like msgfmt's: header, both tables, no hash table, then the NUL-terminated strings. */
  static byte[] mo(ByteOrder order, String[][] entries, Charset charset) {
    List<byte[]> ids = new ArrayList<>();
    List<byte[]> strs = new ArrayList<>();
    int stringBytes = 0;
    for (String[] e : entries) {
      ids.add(e[0].getBytes(charset));
      strs.add(e[1].getBytes(charset));
      stringBytes += ids.get(ids.size() - 1).length + strs.get(strs.size() - 1).length + 2;
    }
    int n = entries.length;
    int originals = 28;
    int translations = originals + 8 * n;
    int strings = translations + 8 * n;
    ByteBuffer b = ByteBuffer.allocate(strings + stringBytes).order(order);
    b.putInt(MoCatalog.MAGIC).putInt(0).putInt(n).putInt(originals).putInt(translations).putInt(0).putInt(0);
    int at = strings;
    for (List<byte[]> column : List.of(ids, strs)) {
      for (byte[] s : column) {
        b.putInt(s.length).putInt(at);
        at += s.length + 1;
      }
    }
    for (List<byte[]> column : List.of(ids, strs)) {
      for (byte[] s : column) {
        b.put(s).put((byte) 0);
      }
    }
    return b.array();
  }

  @Test
  void parsesBothByteOrdersSkippingHeaderPluralAndContext() {
    for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      MoCatalog catalog = MoCatalog.parse(mo(order, ENTRIES, StandardCharsets.UTF_8));
      assertEquals(Map.of("Hello", "Hallo", "world 🌍", "Welt 🌍"), catalog.messages(), order.toString());
      assertEquals(List.of("Hello", "world 🌍"), List.copyOf(catalog.messages().keySet()));
    }
  }

  @Test
  void decodesWithTheHeadersCharset() {
    String[][] latin1 = {{"", "Content-Type: text/plain; charset=ISO-8859-1\n"}, {"open", "öffnen"}};
    MoCatalog catalog = MoCatalog.parse(mo(ByteOrder.LITTLE_ENDIAN, latin1, StandardCharsets.ISO_8859_1));
    assertEquals("öffnen", catalog.messages().get("open"));
    String[][] unknown = {{"", "Content-Type: text/plain; charset=NO-SUCH-CHARSET\n"}, {"a", "b"}};
    assertRejected(mo(ByteOrder.LITTLE_ENDIAN, unknown, StandardCharsets.UTF_8), "unknown charset 'NO-SUCH-CHARSET'");
  }

  @Test
  void rejectsMalformedFiles() {
    byte[] good = mo(ByteOrder.LITTLE_ENDIAN, ENTRIES, StandardCharsets.UTF_8);
    assertRejected(new byte[10], "shorter than the 28-byte header");

    byte[] badMagic = good.clone();
    ByteBuffer.wrap(badMagic).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x12345678);
    assertRejected(badMagic, "bad magic bytes 78 56 34 12");

    byte[] revision = good.clone();
    ByteBuffer.wrap(revision).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 2 << 16);
    assertRejected(revision, "major revision 2");

    byte[] hugeCount = good.clone();
    ByteBuffer.wrap(hugeCount).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0xffffffff);
    assertRejected(hugeCount, "originals table of 4294967295 entries");

    byte[] tableOffset = good.clone();
    ByteBuffer.wrap(tableOffset).order(ByteOrder.LITTLE_ENDIAN).putInt(16, good.length - 4);
    assertRejected(tableOffset, "translations table");

    byte[] stringOffset = good.clone();
    ByteBuffer.wrap(stringOffset).order(ByteOrder.LITTLE_ENDIAN).putInt(28 + 8 + 4, good.length); // entry 1's msgid
    assertRejected(stringOffset, "original string 1 (offset " + good.length + ", length 5) runs past the end");

    byte[] stringLength = good.clone();
    ByteBuffer.wrap(stringLength).order(ByteOrder.LITTLE_ENDIAN).putInt(28 + 8 * ENTRIES.length + 8, 0x7fffffff);
    assertRejected(stringLength, "translation string 1");
  }

  @Test
  void readNamesTheFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.mo");
    Files.write(file, new byte[40]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoCatalog.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    Path good = dir.resolve("good.mo");
    Files.write(good, mo(ByteOrder.BIG_ENDIAN, ENTRIES, StandardCharsets.UTF_8));
    assertEquals(2, MoCatalog.read(good).size());
  }

  @Test
  void readsGitsGermanCatalogueIfInstalled() throws IOException {
    Path file = Path.of("/usr/share/locale/de/LC_MESSAGES/git.mo");
    assumeTrue(Files.isReadable(file), "no " + file);
    MoCatalog catalog = MoCatalog.read(file);
    assertTrue(catalog.size() > 1000, catalog.toString());
    assertTrue(catalog.messages().keySet().stream().noneMatch(k -> k.isEmpty() || k.contains("\0")
        || k.contains("\u0004")));
    assertTrue(catalog.messages().values().stream().anyMatch(v -> v.contains("ä") || v.contains("ü")));
  }

  private static void assertRejected(byte[] bytes, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoCatalog.parse(bytes));
    assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
  }
}
