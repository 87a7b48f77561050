package io.spindle.spark;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * bfloat16: the top 16 bits of an IEEE float32 (sign, 8 exponent bits, 7 mantissa bits), the compressed form of
 * gradients on the wire. Same range as float, about 3 significant decimal digits.
 */
final class Bf16 {
  private Bf16() {}

  /**
   * The bfloat16 nearest to {@code value}, ties to even; a NaN stays a (quiet) NaN, a finite value beyond the largest
   * bfloat16 (about 3.39e38) becomes an infinity, as float rounding does.
   */
  static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** The float with the same value as the bfloat16 {@code bits} (exact). */
  static float toFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /**
   * {@code src[srcOffset + i]} as bfloat16 into {@code dst}'s bytes {@code dstOffset + 2i}, for i &lt; n, in
   * {@code dst}'s byte order (absolute: no position moves). The one encoder of the gradients' wire and blocks.
   */
  static void encode(FloatBuffer src, int srcOffset, ByteBuffer dst, int dstOffset, int n) {
    for (int i = 0; i < n; i++) {
      dst.putShort(dstOffset + 2 * i, fromFloat(src.get(srcOffset + i)));
    }
  }

  /**
   * The n bfloat16 at {@code src}'s bytes {@code srcOffset + 2i} into {@code dst[dstOffset + i]}: the inverse of
   * {@link #encode}.
   */
  static void decode(ByteBuffer src, int srcOffset, float[] dst, int dstOffset, int n) {
    for (int i = 0; i < n; i++) {
      dst[dstOffset + i] = toFloat(src.getShort(srcOffset + 2 * i));
    }
  }
}
