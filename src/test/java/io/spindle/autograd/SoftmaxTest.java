package io.spindle.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
  private final Random rnd = new Random(5);

  private static Variable c(Tensor t) {
    return Variable.constant(t);
  }

  /** log softmax of each row in double, written the naive way (no max shift): fine for O(1) inputs. */
  private static double[] referenceLogSoftmax(Tensor x) {
    int cdim = x.dim(-1);
    double[] out = new double[x.size()];
    for (int base = 0; base < x.size(); base += cdim) {
      double sum = 0;
      for (int i = 0; i < cdim; i++) {
        sum += Math.exp(x.get(base + i));
      }
      for (int i = 0; i < cdim; i++) {
        out[base + i] = x.get(base + i) - Math.log(sum);
      }
    }
    return out;
  }

  @Test
  void forwardMatchesDoubleReference() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    Graph g = Graph.inference();
    Tensor y = Softmax.softmax(g, c(x)).value();
    Tensor ly = Softmax.logSoftmax(g, c(x)).value();
    assertTrue(y.hasShape(2, 3, 5) && ly.hasShape(2, 3, 5));
    double[] ref = referenceLogSoftmax(x);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(Math.exp(ref[i]), y.get(i), 1e-7, "softmax " + i);
      assertEquals(ref[i], ly.get(i), 1e-6, "logSoftmax " + i);
    }
    for (int row = 0; row < 6; row++) {
      double sum = 0;
      for (int i = 0; i < 5; i++) {
        sum += y.get(row * 5 + i);
      }
      assertEquals(1, sum, 1e-6);
    }
  }

  @Test
  void extremeLogitsStayFinite() {
    Graph g = Graph.training();
    Variable x = Variable.leaf(Tensor.of(new float[] {1000f, -1000f, 0f, 1000f, 1000f, -1000f}, 2, 3));
    Variable y = Softmax.softmax(g, x);
    Variable ly = Softmax.logSoftmax(g, x);
    float[] expectY = {1, 0, 0, 0.5f, 0.5f, 0};
    double[] expectLy = {0, -2000, -1000, -Math.log(2), -Math.log(2), -2000 - Math.log(2)};
    for (int i = 0; i < 6; i++) {
      assertEquals(expectY[i], y.value().get(i), 1e-7, "softmax " + i);
      assertEquals(expectLy[i], ly.value().get(i), 1e-4, "logSoftmax " + i);
    }
    Tensor r = GradCheck.random(rnd, 2, 3);
    g.backward(Elementwise.add(g, Reductions.sum(g, Elementwise.mul(g, y, c(r))),
        Reductions.sum(g, Elementwise.mul(g, ly, c(r)))));
    for (int i = 0; i < 6; i++) {
      assertTrue(Float.isFinite(x.grad().get(i)), "gradient " + i + " is " + x.grad().get(i));
    }
  }

  @Test
  void gradients() {
    Tensor x = GradCheck.random(rnd, 2, 3, 5);
    GradCheck.check("softmax (2,3,5)", (g, v) -> Softmax.softmax(g, v[0]), x);
    GradCheck.check("logSoftmax (2,3,5)", (g, v) -> Softmax.logSoftmax(g, v[0]), x);
    Tensor wide = GradCheck.random(rnd, 9);
    for (int i = 0; i < wide.size(); i++) {
      wide.set(i, 4 * wide.get(i)); // peaked rows, far from uniform
    }
    GradCheck.check("softmax (9,)", (g, v) -> Softmax.softmax(g, v[0]), wide);
    GradCheck.check("logSoftmax (9,)", (g, v) -> Softmax.logSoftmax(g, v[0]), wide);
  }

  @Test
  void inputUsedTwice() {
    Tensor x = GradCheck.random(rnd, 3, 4);
    GradCheck.check("softmax(x) * x", (g, v) -> Elementwise.mul(g, Softmax.softmax(g, v[0]), v[0]), x);
    GradCheck.check("logSoftmax(x) + softmax(x)",
        (g, v) -> Elementwise.add(g, Softmax.logSoftmax(g, v[0]), Softmax.softmax(g, v[0])), x);
  }

  /** The two backward rules agree: d logSoftmax = d softmax / softmax, checked with dy = r / y vs dy = r. */
  @Test
  void logSoftmaxGradientIsSoftmaxGradientOverY() {
    Tensor x = GradCheck.random(rnd, 2, 6);
    Tensor r = GradCheck.random(rnd, 2, 6);
    Graph g = Graph.training();
    Variable a = Variable.leaf(x.copy());
    Variable b = Variable.leaf(x.copy());
    Tensor y = Softmax.softmax(Graph.inference(), c(x)).value();
    Tensor rOverY = Tensor.zeros(2, 6);
    for (int i = 0; i < 12; i++) {
      rOverY.set(i, r.get(i) / y.get(i));
    }
    g.backward(Elementwise.add(g, Reductions.sum(g, Elementwise.mul(g, Softmax.softmax(g, a), c(rOverY))),
        Reductions.sum(g, Elementwise.scale(g, Elementwise.mul(g, Softmax.logSoftmax(g, b), c(r)), -1f))));
    for (int i = 0; i < 12; i++) {
      assertEquals(a.grad().get(i), -b.grad().get(i), 1e-5, "element " + i);
    }
  }

  @Test
  void zeroDimensionalInputIsRejected() {
    Graph g = Graph.inference();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Softmax.softmax(g, c(Tensor.scalar(1f))));
    assertEquals("softmax: input needs at least 1 dimension, got shape ()", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Softmax.logSoftmax(g, c(Tensor.scalar(1f))));
    assertEquals("logSoftmax: input needs at least 1 dimension, got shape ()", e.getMessage());
  }
}
