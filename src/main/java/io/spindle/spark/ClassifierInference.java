package io.spindle.spark;

import io.spindle.autograd.Graph;
import io.spindle.data.BadInputException;
import io.spindle.data.PaddedBatch;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.EncoderConfig;
import io.spindle.tensor.Tensor;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Batched classifier inference inside Spark tasks: the driver broadcasts the weights once
 * ({@link #broadcast}); this small object travels in the closure, and in each task the first call builds the model
 * from the broadcast value (once per task, never per row), later calls reuse it.
 *
 * <p>The broadcast is left to Spark's cleaner (it lives as long as a lazy result may still need it); call
 * {@link #destroy()} when no job will use it again.
 */
public final class ClassifierInference implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int PAD_ID = 0;

  private final BroadcastModel<EncoderConfig, EncoderClassifier> model;

  private ClassifierInference(BroadcastModel<EncoderConfig, EncoderClassifier> model) {
    this.model = model;
  }

  /** Broadcasts {@code model}'s current weights. */
  public static ClassifierInference broadcast(JavaSparkContext jsc, EncoderClassifier model) {
    return new ClassifierInference(BroadcastModel.of(jsc, EncoderClassifierFormat.INSTANCE, model));
  }

  /** K. */
  public int numClasses() {
    return model.config().numClasses();
  }

  /** V: valid ids are 0..V-1. */
  public int vocabSize() {
    return model.config().vocabSize();
  }

  /**
   * The class logits of {@code sequences}, row-major (B, K), no dropout; sequences longer than the model's
   * {@code maxLength} are truncated. Each sequence needs at least one id, each in the vocabulary.
   */
  public float[] logits(List<int[]> sequences) {
    EncoderClassifier m = model.model();
    int vocab = model.config().vocabSize();
    for (int b = 0; b < sequences.size(); b++) {
      int[] s = sequences.get(b);
      if (s == null || s.length == 0) {
        throw new BadInputException("classifier inference: sequence " + b + " of the batch has no token ids");
      }
      for (int t = 0; t < s.length; t++) {
        if (s[t] < 0 || s[t] >= vocab) {
          throw new BadInputException("classifier inference: token id " + s[t] + " at position " + t
              + " outside the vocabulary [0, " + vocab + ")");
        }
      }
    }
    PaddedBatch batch = PaddedBatch.pad(sequences, PAD_ID, model.config().maxLength()); // (B, T)
    Tensor logits = m.logits(Graph.inference(), batch, false, 0L).value(); // (B, K)
    return logits.toArray();
  }

  /** Softmax of one row of logits, in double for stability: {@code exp(z_k - max z) / sum_j exp(z_j - max z)}. */
  public static double[] probabilities(float[] logits, int row, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      max = Math.max(max, logits[row * k + j]);
    }
    double[] p = new double[k];
    double sum = 0;
    for (int j = 0; j < k; j++) {
      p[j] = Math.exp(logits[row * k + j] - max);
      sum += p[j];
    }
    for (int j = 0; j < k; j++) {
      p[j] /= sum;
    }
    return p;
  }

  /** Releases the broadcast weights on the driver and the executors. */
  public void destroy() {
    model.destroy();
  }
}
