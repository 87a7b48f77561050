package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.spindle.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A gradient written straight from its task's buffer: the same bytes as the array form, and one loan, ended once. */
class LentGradientTest {
  private final AtomicInteger givenBack = new AtomicInteger();

  /** Partition {@code p}'s gradient of GradientSumTest, in a tensor (off-heap under native BLAS) lent to the sum. */
  private GradientSum lent(int p, int n, boolean bf16) {
    Tensor g = Tensor.of(GradientSumTest.random(n, p), n);
    return GradientSum.of(p, new LentGradient(g, givenBack::incrementAndGet), p * 1.5, 10 + p, Map.of("reward", 2.0),
        bf16, -1);
  }

  private static GradientSum array(int p, int n, boolean bf16) {
    return GradientSum.of(p, GradientSumTest.random(n, p), p * 1.5, 10 + p, Map.of("reward", 2.0), bf16);
  }

  private static byte[] kryoBytes(GradientSum s) {
    Kryo kryo = new Kryo();
    new SpindleKryoRegistrator().registerClasses(kryo);
    Output out = new Output(1024, -1);
    kryo.writeObject(out, s);
    return out.toBytes();
  }

  @Test
  void writesTheBytesOfTheArrayFormAndGivesTheWorkspaceBackOnce() throws Exception {
    int n = 40000; // more than one chunk of FloatBytes and one bf16 block
    for (boolean bf16 : new boolean[] {false, true}) {
      givenBack.set(0);
      assertArrayEquals(kryoBytes(array(3, n, bf16)), kryoBytes(lent(3, n, bf16)), "Kryo, bf16 " + bf16);
      assertEquals(1, givenBack.get());
      GradientSum viaJava = GradientSumTest.javaRoundTrip(lent(3, n, bf16));
      assertArrayEquals(GradientSumTest.javaRoundTrip(array(3, n, bf16)).gradient(), viaJava.gradient());
      assertEquals(2, givenBack.get());
    }
  }

  @Test
  void aWrittenGradientCannotBeReadAgain() {
    GradientSum s = lent(0, 100, false);
    kryoBytes(s);
    assertThrows(IllegalStateException.class, () -> kryoBytes(s));
    assertThrows(IllegalStateException.class, s::gradient);
    assertEquals(1, givenBack.get());
  }

  @Test
  void mergingInOneJvmTakesTheGradientsOutInPartitionOrder() {
    int n = 20000;
    GradientSum merged = lent(2, n, false).mergeInPlace(lent(0, n, false)).mergeInPlace(array(1, n, false));
    GradientSum expected = array(0, n, false).mergeInPlace(array(2, n, false)).mergeInPlace(array(1, n, false));
    assertArrayEquals(expected.gradient(), merged.gradient());
    assertEquals(2, givenBack.get());
    assertEquals(expected.lossSum(), merged.lossSum());
    assertEquals(expected.sums(), merged.sums());
  }
}
