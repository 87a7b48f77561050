package io.spindle.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The msgid → msgstr pairs of a GNU gettext {@code .mo} catalogue, a ready-made parallel corpus (English → the
 * catalogue's language) for translation experiments.
 *
 * <p>The binary format (GNU gettext manual, "The Format of GNU MO Files"): 32-bit words in the byte order given by
 * the magic number {@code 0x950412de}; at byte 4 the revision (major 0 or 1), 8 the number of strings N, 12 the offset
 * of the originals table, 16 the offset of the translations table (then the hash table, unused here). Each table
 * holds N (length, offset) pairs locating the strings; the length excludes the terminating NUL.
 *
 * <p>Skipped: the header entry (empty msgid), plural entries (msgid holding a {@code \0} between singular and plural)
 * and entries with a context (msgid holding U+0004 after the context). Strings are decoded with the charset
 * named in the header's {@code Content-Type}, UTF-8 if it names none. Malformed files throw
 * {@link IllegalArgumentException} naming the problem: bad magic, unsupported revision, a table or string past the
 * end of the file, an unknown charset.
 */
public final class MoCatalog {
  /** The magic number in the file's byte order. */
  public static final int MAGIC = 0x950412de;

  private static final int HEADER_BYTES = 28;
  private static final Pattern CHARSET = Pattern.compile("charset=([^\\s;]+)");

  private final Map<String, String> messages;

  private MoCatalog(Map<String, String> messages) {
    this.messages = Collections.unmodifiableMap(messages);
  }

  public static MoCatalog read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return parse(bytes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses a whole {@code .mo} file. */
  public static MoCatalog parse(byte[] bytes) {
    if (bytes.length < HEADER_BYTES) {
      throw new IllegalArgumentException("MoCatalog: " + bytes.length + " bytes is shorter than the " + HEADER_BYTES
          + "-byte header");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (buffer.getInt(0) != MAGIC) {
      buffer.order(ByteOrder.BIG_ENDIAN);
      if (buffer.getInt(0) != MAGIC) {
        throw new IllegalArgumentException(String.format("MoCatalog: bad magic bytes %02x %02x %02x %02x, expected "
            + "0x%08x in either byte order (de 12 04 95 or 95 04 12 de)", bytes[0], bytes[1], bytes[2], bytes[3],
            MAGIC));
      }
    }
    int major = buffer.getInt(4) >>> 16;
    if (major > 1) {
      throw new IllegalArgumentException("MoCatalog: unsupported major revision " + major + " (expected 0 or 1)");
    }
    long count = Integer.toUnsignedLong(buffer.getInt(8));
    long originals = Integer.toUnsignedLong(buffer.getInt(12));
    long translations = Integer.toUnsignedLong(buffer.getInt(16));
    requireTable("originals", originals, count, bytes.length);
    requireTable("translations", translations, count, bytes.length);

    Charset charset = StandardCharsets.UTF_8;
    Map<String, String> messages = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byte[] id = string(buffer, "original", i, originals);
      byte[] str = string(buffer, "translation", i, translations);
      if (id.length == 0) {
        charset = charset(new String(str, StandardCharsets.US_ASCII));
        continue;
      }
      // Plural (\0) and context (U+0004) markers are single bytes in every ASCII-compatible charset.
      if (indexOf(id, (byte) 0) >= 0 || indexOf(id, (byte) 4) >= 0) {
        continue;
      }
      messages.put(new String(id, charset), new String(str, charset));
    }
    return new MoCatalog(messages);
  }

  /** msgid → msgstr in file order (sorted by msgid), unmodifiable. */
  public Map<String, String> messages() {
    return messages;
  }

  public int size() {
    return messages.size();
  }

  private static void requireTable(String table, long offset, long count, int fileLength) {
    if (offset + 8 * count > fileLength) {
      throw new IllegalArgumentException("MoCatalog: the " + table + " table of " + count + " entries at offset "
          + offset + " runs past the end of the " + fileLength + "-byte file");
    }
  }

  private static byte[] string(ByteBuffer buffer, String table, int index, long tableOffset) {
    int at = (int) (tableOffset + 8L * index);
    long length = Integer.toUnsignedLong(buffer.getInt(at));
    long offset = Integer.toUnsignedLong(buffer.getInt(at + 4));
    if (offset + length > buffer.capacity()) {
      throw new IllegalArgumentException("MoCatalog: " + table + " string " + index + " (offset " + offset
          + ", length " + length + ") runs past the end of the " + buffer.capacity() + "-byte file");
    }
    byte[] s = new byte[(int) length];
    buffer.get((int) offset, s);
    return s;
  }

  /** The charset of the header's {@code Content-Type}, UTF-8 if none is named. */
  private static Charset charset(String header) {
    Matcher m = CHARSET.matcher(header);
    if (!m.find()) {
      return StandardCharsets.UTF_8;
    }
    try {
      return Charset.forName(m.group(1));
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new IllegalArgumentException("MoCatalog: the header names an unknown charset '" + m.group(1) + "'", e);
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "MoCatalog(" + messages.size() + " messages)";
  }
}
