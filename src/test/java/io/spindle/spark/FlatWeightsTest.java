package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.util.SizeEstimator;
import org.junit.jupiter.api.Test;

/**
 * How Spark's block manager sizes the broadcast weights: by {@link FlatWeights#estimatedSize}, not by walking the
 * view's buffer, from which {@code SizeEstimator} reaches every direct buffer alive in the JVM.
 */
class FlatWeightsTest {
  private static final int N = 50_000;

  @Test
  void sparkSizesAViewAsASmallObjectHoweverManyTensorsAreAlive() {
    List<Tensor> alive = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      alive.add(Tensor.zeros(16)); // direct buffers under native BLAS, each with a cleaner on the JVM's list
    }
    Tensor values = Tensor.zeros(N);
    // Without the size hook the walk went from the buffer through the cleaners' list to every tensor above and
    // reported hundreds of KB (and took milliseconds); a view holds no memory of its own.
    assertEquals(64, SizeEstimator.estimate(FlatWeights.of(values)));
    FlatWeights sameJvm = FlatWeights.sameJvm(values);
    try {
      assertEquals(64, SizeEstimator.estimate(sameJvm));
    } finally {
      sameJvm.release();
    }
    Reference.reachabilityFence(alive); // the tensors stay alive, their cleaners on the list, until here
  }

  @Test
  void aDeserialisedCopyIsSizedByTheArrayItOwns() throws IOException, ClassNotFoundException {
    float[] w = new float[N];
    for (int i = 0; i < N; i++) {
      w[i] = i * 0.25f;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(FlatWeights.of(Tensor.of(w, N)));
    }
    FlatWeights copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (FlatWeights) in.readObject();
    }
    assertEquals(64 + 16 + 4L * N, SizeEstimator.estimate(copy));
    Tensor into = Tensor.zeros(N);
    copy.copyInto(into);
    assertArrayEquals(w, into.toArray());
  }
}
