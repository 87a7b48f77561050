package io.spindle.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * For {@code bin/bench spark --sections rates} (package {@code io.spindle.bench}): Spindle's float decoder
 * ({@link FloatBytes}), bulk or element by element, reading a {@code float[]} that {@link SpindleKryoRegistrator}
 * wrote into an array the caller owns, so that the rate is the decoder's and not that of allocating fresh memory.
 */
public final class FloatDecoding {
  private FloatDecoding() {}

  /** The bytes {@link SpindleKryoRegistrator}'s serializer writes for {@code a}: its length, then its elements. */
  public static byte[] write(float[] a) {
    Output output = new Output(4 * a.length + 16, -1);
    new SpindleKryoRegistrator.FloatArraySerializer().write(new Kryo(), output, a);
    return output.toBytes();
  }

  /** Reads the bytes of {@link #write} for a {@code float[]} of {@code into.length} elements into {@code into}. */
  public static void read(byte[] kryoBytes, float[] into, boolean bulk) throws IOException {
    Input input = new Input(kryoBytes);
    int length = input.readVarInt(true);
    if (length != into.length) {
      throw new IllegalArgumentException(length + " floats written, " + into.length + " to read into");
    }
    FloatBytes.read(new DataInputStream(input), into, length, bulk);
  }
}
