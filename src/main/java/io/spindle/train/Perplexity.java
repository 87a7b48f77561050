package io.spindle.train;

import io.spindle.autograd.CrossEntropy;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;
import io.spindle.data.TokenWindows;
import io.spindle.nn.Gpt;
import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How well a {@link Gpt} predicts whole texts: the measure of {@code spindle score} and of the perplexity column of
 * the MLlib language model. For a text of n >= 2 tokens, with {@code T' = min(blockSize, n - 1)}: the consecutive
 * non-overlapping windows of T' tokens starting at {@code 0, T', 2T', ...} ({@link TokenWindows#evaluationBatches},
 * the last one partial), each predicting the same window shifted by one, so every token after the first is
 * predicted exactly once, with the context of its window. The result is the summed next-token cross-entropy (nats)
 * and the number of predicted tokens, n - 1; {@link BatchGradient.Result#meanLoss()} is the mean, and its exponential
 * the perplexity. No dropout.
 *
 * <p>{@link #scoreEach} packs the windows of many texts into forward passes of up to {@code windowsPerPass} windows
 * (a pass is as long as its longest window; shorter windows are padded at the end, and the causal mask keeps the
 * padding out of every real position), then takes each window's cross-entropy on its own rows of the logits. A text
 * of fewer than 2 tokens has nothing to predict: its result is (0, 0), whose mean is NaN.
 */
public final class Perplexity {
  private Perplexity() {}

  /** The summed loss and count of {@code tokens} (at least 2), in passes of {@code windowsPerPass} windows. */
  public static BatchGradient.Result score(Gpt model, int[] tokens, int windowsPerPass) {
    if (tokens.length < 2) {
      throw new IllegalArgumentException("need at least 2 tokens to score, got " + tokens.length);
    }
    return scoreEach(model, List.of(tokens), windowsPerPass)[0];
  }

  /** The summed loss and count of each of {@code texts}, in order; see the class comment. */
  public static BatchGradient.Result[] scoreEach(Gpt model, List<int[]> texts, int windowsPerPass) {
    if (windowsPerPass < 1) {
      throw new IllegalArgumentException("windows per pass must be >= 1, got " + windowsPerPass);
    }
    double[] sums = new double[texts.size()];
    long[] counts = new long[texts.size()];
    List<Window> pass = new ArrayList<>(windowsPerPass);
    for (int i = 0; i < texts.size(); i++) {
      int[] tokens = texts.get(i);
      if (tokens.length < 2) {
        continue;
      }
      TokenWindows windows = new TokenWindows(tokens, Math.min(model.config().blockSize(), tokens.length - 1));
      for (Batch window : windows.evaluationBatches(1)) {
        pass.add(new Window(i, window));
        if (pass.size() == windowsPerPass) {
          run(model, pass, sums, counts);
          pass.clear();
        }
      }
    }
    if (!pass.isEmpty()) {
      run(model, pass, sums, counts);
    }
    BatchGradient.Result[] results = new BatchGradient.Result[texts.size()];
    for (int i = 0; i < results.length; i++) {
      results[i] = new BatchGradient.Result(sums[i], counts[i]);
    }
    return results;
  }

  /** One evaluation window (a 1-row batch) of text {@code text}. */
  private record Window(int text, Batch batch) {}

  /** One forward pass over {@code pass}, adding each window's summed loss and target count to its text's. */
  private static void run(Gpt model, List<Window> pass, double[] sums, long[] counts) {
    int rows = pass.size();
    int time = 0;
    for (Window w : pass) {
      time = Math.max(time, w.batch().time());
    }
    int[] inputs = new int[rows * time]; // (B, T)
    int[] targets = new int[rows * time]; // (B, T)
    Arrays.fill(targets, Batch.IGNORE);
    for (int b = 0; b < rows; b++) {
      Batch w = pass.get(b).batch();
      System.arraycopy(w.inputs(), 0, inputs, b * time, w.time());
      System.arraycopy(w.targets(), 0, targets, b * time, w.time());
      Arrays.fill(inputs, b * time + w.time(), (b + 1) * time, w.inputs()[w.time() - 1]);
    }
    Graph g = Graph.inference();
    Tensor logits = model.logits(g, inputs, rows, time, false, 0L).value(); // (B, T, V)
    for (int b = 0; b < rows; b++) {
      Variable row = Variable.constant(logits.narrow(b, 1)); // (1, T, V)
      int[] rowTargets = Arrays.copyOfRange(targets, b * time, (b + 1) * time); // (T)
      double loss = CrossEntropy.crossEntropy(g, row, rowTargets, null, Batch.IGNORE, 0f, Reduction.SUM).value()
          .get(0);
      Window w = pass.get(b);
      sums[w.text()] += loss;
      counts[w.text()] += w.batch().targetCount();
    }
  }
}
