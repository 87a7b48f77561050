package io.spindle.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Whole text files as strings, for corpora that fit in memory (the Jargon File is 1.7 MB). Input is UTF-8, gzip
 * compressed or not: compression is recognised by the gzip magic bytes {@code 1f 8b}, so {@code jargon.txt.gz}
 * and {@code jargon.txt} read the same. A leading byte order mark is dropped. Bytes that are not valid UTF-8 throw
 * {@link IllegalArgumentException} with their offset rather than being replaced silently.
 */
public final class Texts {
  private Texts() {}

  /** The text of {@code file}; see the class comment for gzip and UTF-8 handling. */
  public static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * The text of {@code in} (for streams opened elsewhere, e.g. on a Hadoop file system), read to its end and left
   * open; {@code name} labels error messages.
   */
  public static String read(InputStream in, String name) throws IOException {
    return decodeUtf8(readBytes(in), name);
  }

  /** All bytes of {@code in}, gunzipped if they start with the gzip magic; leaves {@code in} open. */
  static byte[] readBytes(InputStream in) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return new GZIPInputStream(buffered).readAllBytes();
    }
    return buffered.readAllBytes();
  }

  /** Strict UTF-8 decoding, dropping a leading byte order mark. */
  static String decodeUtf8(byte[] bytes, String name) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int at = in.position();
      throw new BadInputException(name + ": not valid UTF-8 at byte offset " + at + " (byte 0x"
          + String.format("%02x", bytes[at] & 0xff) + ")");
    }
    out.flip();
    if (out.hasRemaining() && out.get(0) == '\uFEFF') {
      out.position(1);
    }
    return out.toString();
  }
}
