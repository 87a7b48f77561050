package io.spindle.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.spindle.autograd.Parameters;
import io.spindle.tensor.Parallel;
import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** AdamW split over {@link Parallel} op threads updates every element exactly as the single-threaded step does. */
class AdamWParallelTest {
  private final int before = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  /** Parameter values after three steps, with {@code threads} op threads. */
  private static float[] train(int threads) {
    Parallel.setThreads(threads);
    // decayed matrices and undecayed vectors alternate, so decay ranges start and end inside every thread's share
    Parameters.Builder b = Parameters.builder();
    for (int i = 0; i < 5; i++) {
      b.add("w" + i, 173, 211);
      b.add("b" + i, 1_001);
    }
    Parameters p = b.build();
    Random rnd = new Random(3);
    Tensor values = p.values();
    for (int i = 0; i < values.size(); i++) {
      values.set(i, (float) rnd.nextGaussian());
    }
    AdamW adam = new AdamW(AdamW.Config.defaults().withWeightDecay(0.1), p);
    for (int step = 0; step < 3; step++) {
      Tensor grads = p.grads();
      for (int i = 0; i < grads.size(); i++) {
        grads.set(i, (float) rnd.nextGaussian());
      }
      adam.step(p, 1e-2);
    }
    return values.toArray();
  }

  @Test
  void twoThreadsMatchOneBitForBit() {
    assertArrayEquals(train(1), train(2), 0f);
    assertArrayEquals(train(1), train(3), 0f);
  }
}
