package io.spindle.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * {@link SpindleKryoRegistrator} with the element-by-element float codecs Spindle used before the bulk ones: Kryo's
 * stock {@code float[]} serializer for the broadcast weights and one {@code putFloat} per gradient element. The
 * baseline of {@code bin/bench spark --baseline}; same bytes for gradients, so results are comparable.
 */
public final class BaselineKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    SpindleKryoRegistrator.register(kryo, false);
  }
}
