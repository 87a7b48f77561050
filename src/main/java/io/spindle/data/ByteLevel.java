package io.spindle.data;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte level of {@link BpeTokenizer}: text to UTF-8 bytes and back, and the printable spelling of byte strings
 * that the tokens of a byte-level vocabulary use (the one of GPT-2 and of Hugging Face's {@code ByteLevel}
 * pre-tokenizer and decoder).
 *
 * <p>Spelling: each byte is one character. The bytes {@code 0x21..0x7E}, {@code 0xA1..0xAC} and {@code 0xAE..0xFF}
 * are the characters with the same code point; the other 68 (controls, space, {@code 0x7F..0xA0}, {@code 0xAD}) are
 * U+0100, U+0101, ... taken in byte order. So the space is {@code Ġ} (U+0120), the newline {@code Ċ} (U+010A), and
 * {@code " the"} is spelled {@code Ġthe}.
 *
 * <p>Encoding: a Java string may hold a lone surrogate, which has no UTF-8 form; {@link #utf8} writes it as the bytes
 * of U+FFFD (the replacement character), so it decodes as U+FFFD. Decoding ({@link #text}) replaces every malformed
 * byte sequence (a token sequence cut inside a character, say) with U+FFFD, so any bytes decode.
 */
final class ByteLevel {
  /** The character that spells each byte. */
  private static final char[] CHAR_OF_BYTE = new char[256];
  /** The byte each character below U+0144 spells, or -1. */
  private static final int[] BYTE_OF_CHAR = new int[0x144];

  static {
    Arrays.fill(BYTE_OF_CHAR, -1);
    int next = 0x100;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      CHAR_OF_BYTE[b] = (char) (printable ? b : next++);
      BYTE_OF_CHAR[CHAR_OF_BYTE[b]] = b;
    }
  }

  private ByteLevel() {}

  /** The one-character spelling of byte {@code b} (0..255). */
  static char charOf(int b) {
    return CHAR_OF_BYTE[b & 0xff];
  }

  /** The spelling of {@code bytes[from, to)}. */
  static String spell(byte[] bytes, int from, int to) {
    char[] chars = new char[to - from];
    for (int i = from; i < to; i++) {
      chars[i - from] = CHAR_OF_BYTE[bytes[i] & 0xff];
    }
    return new String(chars);
  }

  /** The bytes a spelling stands for, or null if some character of it spells no byte. */
  static byte[] unspell(String token) {
    byte[] bytes = new byte[token.length()];
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c >= BYTE_OF_CHAR.length || BYTE_OF_CHAR[c] < 0) {
        return null;
      }
      bytes[i] = (byte) BYTE_OF_CHAR[c];
    }
    return bytes;
  }

  /**
   * The UTF-8 bytes of {@code s[from, to)} into {@code out} (which must hold {@code 3 * (to - from)} bytes), a lone
   * surrogate written as U+FFFD's bytes {@code EF BF BD}; returns the number of bytes written.
   */
  static int utf8(CharSequence s, int from, int to, byte[] out) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[n++] = (byte) c;
      } else if (c < 0x800) {
        out[n++] = (byte) (0xC0 | c >> 6);
        out[n++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out[n++] = (byte) (0xF0 | cp >> 18);
        out[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
        out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
        out[n++] = (byte) (0x80 | cp & 0x3F);
      } else {
        char unit = Character.isSurrogate(c) ? '\uFFFD' : c;
        out[n++] = (byte) (0xE0 | unit >> 12);
        out[n++] = (byte) (0x80 | unit >> 6 & 0x3F);
        out[n++] = (byte) (0x80 | unit & 0x3F);
      }
    }
    return n;
  }

  /** The UTF-8 bytes of {@code s}, lone surrogates as U+FFFD's. */
  static byte[] utf8(String s) {
    byte[] out = new byte[3 * s.length()];
    return Arrays.copyOf(out, utf8(s, 0, s.length(), out));
  }

  /** The text of UTF-8 {@code bytes[0, length)}, each malformed sequence replaced with U+FFFD. */
  static String text(byte[] bytes, int length) {
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }
}
