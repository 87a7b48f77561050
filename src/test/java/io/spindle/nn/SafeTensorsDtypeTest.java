package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SafeTensorsDtypeTest {
  /**
   * binary16 by its textbook definition, in double: (-1)^s × 2^(e-15) × (1 + m/1024) for 0 < e < 31,
   * (-1)^s × 2^-14 × m/1024 for e = 0, ±infinity or NaN for e = 31.
   */
  static double referenceHalf(int bits) {
    int s = (bits >>> 15) & 1;
    int e = (bits >>> 10) & 0x1f;
    int m = bits & 0x3ff;
    double sign = s == 1 ? -1 : 1;
    if (e == 31) {
      return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
    }
    if (e == 0) {
      return sign * Math.pow(2, -14) * (m / 1024.0);
    }
    return sign * Math.pow(2, e - 15) * (1 + m / 1024.0);
  }

  @Test
  void everyHalfMatchesTheTextbookDefinition() {
    for (int i = 0; i < 1 << 16; i++) {
      int bits = i;
      float actual = SafeTensorsDtype.halfToFloat((short) bits);
      double expected = referenceHalf(bits);
      if (Double.isNaN(expected)) {
        assertTrue(Float.isNaN(actual), () -> "NaN expected for " + Integer.toHexString(bits));
      } else {
        // every half is exactly a float, so equality, and the sign of zero must survive
        assertEquals(Float.floatToRawIntBits((float) expected), Float.floatToRawIntBits(actual),
            () -> "half " + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void halfKnownValues() {
    assertEquals(1.0f, SafeTensorsDtype.halfToFloat((short) 0x3C00));
    assertEquals(-2.0f, SafeTensorsDtype.halfToFloat((short) 0xC000));
    assertEquals(Float.POSITIVE_INFINITY, SafeTensorsDtype.halfToFloat((short) 0x7C00));
    assertEquals(5.9604644775390625e-8f, SafeTensorsDtype.halfToFloat((short) 0x0001)); // 2^-24
    assertEquals(65504f, SafeTensorsDtype.halfToFloat((short) 0x7BFF));
    // a NaN's payload is kept: quiet bit plus payload 0x001 become float mantissa bits 0x402000
    assertEquals(0x7FC0_2000, Float.floatToRawIntBits(SafeTensorsDtype.halfToFloat((short) 0x7E01)));
  }

  @Test
  void bfloat16IsTheTopHalfOfAFloat() {
    assertEquals(1.0f, SafeTensorsDtype.bfloat16ToFloat((short) 0x3F80));
    assertEquals(-3.0f, SafeTensorsDtype.bfloat16ToFloat((short) 0xC040));
    assertEquals(Float.NEGATIVE_INFINITY, SafeTensorsDtype.bfloat16ToFloat((short) 0xFF80));
    for (int bits = 0; bits < 1 << 16; bits += 7) {
      assertEquals(bits << 16, Float.floatToRawIntBits(SafeTensorsDtype.bfloat16ToFloat((short) bits)));
    }
  }

  @Test
  void parseKnowsHeaderSpellingsOnly() {
    assertEquals(SafeTensorsDtype.BF16, SafeTensorsDtype.parse("BF16"));
    assertEquals(8, SafeTensorsDtype.parse("I64").bytes());
    assertNull(SafeTensorsDtype.parse("float32"));
    assertNull(SafeTensorsDtype.parse("bf16"));
  }
}
