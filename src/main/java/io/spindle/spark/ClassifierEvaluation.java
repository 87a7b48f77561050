package io.spindle.spark;

import io.spindle.nn.EncoderClassifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A classifier scored on labelled examples held in Spark: the mean cross-entropy and the accuracy, computed by one
 * job over the examples' cached chunks with weights broadcast once (no dropout).
 *
 * <p>Each task sums its chunk's loss in double, batch by batch in input order, and the driver adds the chunks' sums
 * in partition order, so for a fixed partitioning the result does not depend on task timing (a resumed run sees the
 * losses an uninterrupted one saw).
 *
 * @param meanLoss mean over the examples of {@code -log softmax(z)[label] = logsumexp(z) - z[label]}, z the logits
 * @param accuracy fraction of examples whose arg-max class (the first, on ties) is the label
 * @param count examples scored
 */
public record ClassifierEvaluation(double meanLoss, double accuracy, long count) {
  /** Examples per forward pass inside a task. */
  private static final int BATCH = 64;

  /** Scores {@code model}'s current weights on {@code examples}. */
  public static ClassifierEvaluation of(SparkExamples examples, EncoderClassifier model) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(examples.chunks().context());
    ClassifierInference inference = ClassifierInference.broadcast(jsc, model);
    try {
      List<double[]> parts = SparkJobs.run("evaluating the validation examples",
          () -> examples.chunks().map(chunk -> score(inference, chunk)).collect());
      double lossSum = 0;
      double correct = 0;
      double count = 0;
      for (double[] p : parts) { // partition order
        lossSum += p[0];
        correct += p[1];
        count += p[2];
      }
      return new ClassifierEvaluation(lossSum / count, correct / count, (long) count);
    } finally {
      inference.destroy();
    }
  }

  /** {loss sum, correct, count} of one chunk. */
  private static double[] score(ClassifierInference inference, ExampleChunk chunk) {
    int k = inference.numClasses();
    double lossSum = 0;
    int correct = 0;
    for (int from = 0; from < chunk.size(); from += BATCH) {
      int to = Math.min(chunk.size(), from + BATCH);
      List<int[]> sequences = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        sequences.add(chunk.ids()[i]);
      }
      float[] logits = inference.logits(sequences); // (B, K)
      for (int b = 0; b < to - from; b++) {
        int label = chunk.labels()[from + b];
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int j = 0; j < k; j++) {
          double z = logits[b * k + j];
          if (z > max) {
            max = z;
            best = j;
          }
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
          sum += Math.exp(logits[b * k + j] - max);
        }
        lossSum += max + Math.log(sum) - logits[b * k + label];
        correct += best == label ? 1 : 0;
      }
    }
    return new double[] {lossSum, correct, chunk.size()};
  }
}
