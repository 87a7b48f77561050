package io.spindle.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
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
import java.util.zip.ZipException;

/**
 * Whole text files as strings, for corpora that fit in memory (the Jargon File is 1.7 MB). Input is UTF-8, gzip
 * compressed or not: compression is recognised by the gzip magic bytes {@code 1f 8b}, so {@code jargon.txt.gz}
 * and {@code jargon.txt} read the same. A leading byte order mark is dropped. Bytes that are not valid UTF-8 throw
 * {@link BadInputException} with their offset rather than being replaced silently.
 *
 * <p>Reading is bounded: {@link #read(Path, long, String)} refuses a text of more than a given number of bytes
 * (after decompression) before holding more than that, so a file too large for the heap, or one that never ends
 * ({@code /dev/zero}), is a {@link BadInputException} naming the file and the limit rather than an
 * {@link OutOfMemoryError}. A folder, a missing file, and truncated or corrupt gzip data are errors naming the file.
 */
public final class Texts {
  /** The longest text a Java string can come from: arrays hold a little under 2^31 elements. */
  public static final long MAX_BYTES = Integer.MAX_VALUE - 16;

  private Texts() {}

  /** The text of {@code file}, up to {@link #MAX_BYTES}; see the class comment for gzip and UTF-8 handling. */
  public static String read(Path file) throws IOException {
    return read(file, MAX_BYTES, "the most one string can hold");
  }

  /**
   * The text of {@code file}, refusing it if it holds more than {@code maxBytes} bytes of (decompressed) text;
   * {@code limitReason} says in the message where that limit comes from and what to change.
   */
  public static String read(Path file, long maxBytes, String limitReason) throws IOException {
    if (Files.isDirectory(file)) {
      throw new BadInputException("text file " + file + " is a folder, not a file");
    }
    if (!Files.exists(file)) {
      throw new BadInputException("text file " + file + " does not exist"
          + (file.toString().equals("-") ? " (standard input is not read: give a file)" : ""));
    }
    long limit = Math.min(maxBytes, MAX_BYTES);
    if (Files.isRegularFile(file) && Files.size(file) > limit && !isGzip(file)) {
      throw new BadInputException("text file " + file + " has " + String.format("%,d", Files.size(file))
          + " bytes, more than the limit of " + String.format("%,d", limit) + " bytes (" + limitReason + ")");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return decodeUtf8(readBytes(in, "text file " + file, limit, limitReason), file.toString());
    }
  }

  /**
   * The text of {@code in} (for streams opened elsewhere, e.g. on a Hadoop file system), read to its end and left
   * open; {@code name} labels error messages.
   */
  public static String read(InputStream in, String name) throws IOException {
    return decodeUtf8(readBytes(in, name, MAX_BYTES, "the most one string can hold"), name);
  }

  /**
   * All bytes of {@code in}, gunzipped if they start with the gzip magic, at most {@code limit} of them (else an
   * {@link BadInputException}); leaves {@code in} open. {@code name} labels error messages.
   */
  private static byte[] readBytes(InputStream in, String name, long limit, String limitReason) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    byte[] bytes;
    try {
      InputStream source = gzip ? new GZIPInputStream(buffered) : buffered;
      bytes = source.readNBytes((int) limit + 1);
    } catch (ZipException | EOFException e) {
      throw new BadInputException(name + ": gzip data is truncated or corrupt (" + e.getMessage() + ")", e);
    }
    if (bytes.length > limit) {
      throw new BadInputException(name + " holds more than the limit of " + String.format("%,d", limit)
          + " bytes" + (gzip ? " once decompressed" : "") + " (" + limitReason + ")");
    }
    return bytes;
  }

  private static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
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
