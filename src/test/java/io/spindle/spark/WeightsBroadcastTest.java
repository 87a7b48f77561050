package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.storage.BlockStatus;
import org.apache.spark.storage.BroadcastBlockId;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.reflect.ClassTag$;

/**
 * The weights broadcast: in local mode its pieces carry a key, not the weights, and the key reads back as the same
 * view until the broadcast is closed; with the setting off (and on a cluster, StandaloneClusterIT) the pieces carry
 * the weights.
 */
class WeightsBroadcastTest {
  private static final int N = 300_000; // 1.2 MB of weights

  private static Tensor weights() {
    float[] w = new float[N];
    for (int i = 0; i < N; i++) {
      w[i] = (float) Math.sin(i * 0.37);
    }
    return Tensor.of(w, N);
  }

  /** The bytes of the broadcast's pieces in this JVM's block manager. */
  private static long pieceBytes(long id) {
    long total = 0;
    for (int i = 0; ; i++) {
      Option<BlockStatus> piece = SparkEnv.get().blockManager().getStatus(new BroadcastBlockId(id, "piece" + i));
      if (piece.isEmpty()) {
        return total;
      }
      total += piece.get().memSize() + piece.get().diskSize();
    }
  }

  @Test
  void localModePiecesCarryAKeyThatReadsBackAsTheSameViewUntilClosed() {
    Tensor values = weights();
    try (JavaSparkContext jsc = SparkFixtures.context("local[2]", true)) {
      WeightsBroadcast b = WeightsBroadcast.of(jsc, values);
      long id = b.handle().id();
      long bytes = pieceBytes(id);
      assertTrue(bytes > 0 && bytes < 64, "pieces of " + bytes + " bytes for " + 4L * N + " bytes of weights");
      Broadcast<FlatWeights> handle = b.handle();
      List<Float> seen = jsc.parallelize(List.of(0, 1, 2, 3), 2).map(i -> {
        Tensor t = Tensor.zeros(N);
        handle.value().copyInto(t);
        return t.get(N - 1 - i);
      }).collect();
      for (int i = 0; i < 4; i++) {
        assertEquals(values.get(N - 1 - i), seen.get(i));
      }

      // As Spark would read the value back had it dropped it from memory: deserialise the bytes it was given.
      SerializerInstance ser = SparkEnv.get().serializer().newInstance();
      FlatWeights view = b.handle().value();
      ByteBuffer serialised = ser.serialize(view, ClassTag$.MODULE$.apply(FlatWeights.class));
      assertSame(view, ser.deserialize(serialised.duplicate(), ClassTag$.MODULE$.apply(FlatWeights.class)));

      b.close();
      Exception gone = assertThrows(Exception.class,
          () -> ser.deserialize(serialised.duplicate(), ClassTag$.MODULE$.apply(FlatWeights.class)));
      assertTrue(String.valueOf(gone.getCause()).contains("released"), gone.toString());
    }
  }

  @Test
  void withTheSettingOffThePiecesCarryTheWeights() {
    Tensor values = weights();
    try (JavaSparkContext jsc = SparkFixtures.context("local[2]", true,
        Map.of(WeightsBroadcast.SAME_JVM, "false"))) {
      try (WeightsBroadcast b = WeightsBroadcast.of(jsc, values)) {
        assertTrue(pieceBytes(b.handle().id()) >= 4L * N, "the pieces hold the weights");
        SerializerInstance ser = SparkEnv.get().serializer().newInstance();
        FlatWeights copy = ser.deserialize(ser.serialize(b.handle().value(),
            ClassTag$.MODULE$.apply(FlatWeights.class)), ClassTag$.MODULE$.apply(FlatWeights.class));
        Tensor back = Tensor.zeros(N);
        copy.copyInto(back);
        assertArrayEquals(values.toArray(), back.toArray());
      }
    }
  }
}
