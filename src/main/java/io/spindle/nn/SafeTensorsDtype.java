package io.spindle.nn;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The element types a safetensors header may name, with their sizes in bytes, and the decoding of the three
 * floating-point ones Spindle reads (F32, F16, BF16) to float32.
 *
 * <p>The other types are known so that a header mentioning them (an integer {@code position_ids} buffer, say) still
 * parses and its byte counts are checked; reading such a tensor's values is refused. The sub-byte types (F4, F6_*)
 * are not listed and count as unknown.
 */
public enum SafeTensorsDtype {
  F64(8),
  F32(4),
  F16(2),
  BF16(2),
  F8_E5M2(1),
  F8_E4M3(1),
  F8_E8M0(1),
  C64(8),
  I64(8),
  I32(4),
  I16(2),
  I8(1),
  U64(8),
  U32(4),
  U16(2),
  U8(1),
  BOOL(1);

  private final int bytes;

  SafeTensorsDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Whether {@link #decode} can turn this type into float32 without loss (F32, F16, BF16). */
  public boolean isReadable() {
    return this == F32 || this == F16 || this == BF16;
  }

  /** The dtype spelled {@code name} in a header, or null if the name is not a known dtype. */
  public static SafeTensorsDtype parse(String name) {
    for (SafeTensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /**
   * Decodes {@code count} elements of this type from {@code src} (little-endian, read from its position, which
   * advances) into {@code dst[dstOffset, dstOffset + count)} as float32.
   */
  void decode(ByteBuffer src, FloatBuffer dst, int dstOffset, int count) {
    switch (this) {
      case F32 -> {
        dst.put(dstOffset, src.asFloatBuffer(), 0, count);
        src.position(src.position() + 4 * count);
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          dst.put(dstOffset + i, halfToFloat(src.getShort()));
        }
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          dst.put(dstOffset + i, bfloat16ToFloat(src.getShort()));
        }
      }
      default -> throw new IllegalArgumentException("safetensors: cannot decode dtype " + this + " to float32");
    }
  }

  /**
   * IEEE 754 binary16 to float32, exactly (every half is a float). Layout: 1 sign bit, 5 exponent bits (bias 15),
   * 10 mantissa bits. Exponent 0 is zero or subnormal, {@code mantissa * 2^-24}; exponent 31 is infinity (mantissa
   * 0) or NaN (the payload is kept in the float's top mantissa bits); otherwise the exponent is re-biased to 127 and
   * the mantissa widened from 10 to 23 bits.
   */
  public static float halfToFloat(short bits) {
    int h = bits & 0xffff;
    int sign = (h >>> 15) << 31;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      float magnitude = Math.scalb((float) mantissa, -24);
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /** bfloat16 to float32: a bfloat16 is the top 16 bits of a float32, so this is a shift. */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }
}
