package io.spindle.tensor;

import java.util.Arrays;

/** Shape arithmetic and the wording of shape errors, shared by tensors and ops. */
public final class Shape {
  private Shape() {}

  /** Product of the dimensions; throws if it overflows an {@code int}. */
  public static int size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + toString(shape) + " has more than 2^31-1 elements");
      }
    }
    return (int) n;
  }

  /** Product of {@code shape[from, to)}. */
  public static int size(int[] shape, int from, int to) {
    int n = 1;
    for (int i = from; i < to; i++) {
      n *= shape[i];
    }
    return n;
  }

  /** A defensive copy of {@code shape}, rejecting negative dimensions. */
  public static int[] validate(int[] shape) {
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + toString(shape));
      }
    }
    size(shape);
    return shape.clone();
  }

  /** Resolves one -1 dimension so the shape holds {@code size} elements. */
  public static int[] infer(int[] shape, int size) {
    int[] s = shape.clone();
    int unknown = -1;
    int known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1 && unknown < 0) {
        unknown = i;
      } else if (s[i] < 0) {
        throw new IllegalArgumentException("reshape: bad shape " + toString(shape));
      } else {
        known *= s[i];
      }
    }
    if (unknown >= 0 && known > 0 && size % known == 0) {
      s[unknown] = size / known;
    }
    if (unknown >= 0 && s[unknown] < 0 || size(s) != size) {
      throw new IllegalArgumentException("reshape: cannot view " + size + " elements as " + toString(shape));
    }
    return s;
  }

  /** A new shape: {@code shape} with its last dimension replaced. */
  public static int[] withLast(int[] shape, int last) {
    int[] s = shape.clone();
    s[s.length - 1] = last;
    return s;
  }

  /** Whether {@code suffix} equals the trailing dimensions of {@code shape}. */
  public static boolean isSuffix(int[] suffix, int[] shape) {
    if (suffix.length > shape.length) {
      return false;
    }
    int k = shape.length - suffix.length;
    return Arrays.equals(suffix, 0, suffix.length, shape, k, shape.length);
  }

  /** {@code (2, 3, 4)}. */
  public static String toString(int[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** Throws an {@link IllegalArgumentException} naming the op and both shapes. */
  public static IllegalArgumentException mismatch(String op, int[] a, int[] b, String why) {
    return new IllegalArgumentException(op + ": shape mismatch " + toString(a) + " vs " + toString(b)
        + (why == null ? "" : " (" + why + ")"));
  }
}
