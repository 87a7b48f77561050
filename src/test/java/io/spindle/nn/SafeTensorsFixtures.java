package io.spindle.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds safetensors files byte by byte, independently of the writer under test. */
final class SafeTensorsFixtures {
  private SafeTensorsFixtures() {}

  /** A file: 8-byte little-endian length of {@code header}'s UTF-8 bytes, the header, then {@code data}. */
  static byte[] file(String header, byte[] data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return file(json.length, json, data);
  }

  /** A file with an arbitrary length prefix (which may lie), then {@code header} and {@code data} verbatim. */
  static byte[] file(long declaredLength, byte[] header, byte[] data) {
    return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(declaredLength).put(header).put(data).array();
  }

  /** Little-endian 16-bit words, as F16 or BF16 data. */
  static byte[] shorts(int... words) {
    ByteBuffer b = ByteBuffer.allocate(2 * words.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int w : words) {
      b.putShort((short) w);
    }
    return b.array();
  }

  /** Little-endian float32 data. */
  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** {@code parts} one after another. */
  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  /** One header entry as JSON: {@code "name": {"dtype": .., "shape": [..], "data_offsets": [begin, end]}}. */
  static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin
        + ", " + end + "]}";
  }
}
