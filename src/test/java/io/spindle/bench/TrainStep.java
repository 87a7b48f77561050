package io.spindle.bench;

import io.spindle.autograd.Parameters;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.optim.AdamW;
import io.spindle.optim.GradientClipping;
import io.spindle.train.BatchGradient;
import io.spindle.train.LocalReplicas;
import io.spindle.train.RowsObjective;
import java.util.SplittableRandom;

/**
 * One GPT training step as {@code src/test/python/gpt_ref.py} times PyTorch's: zero the gradients, forward, summed
 * cross-entropy, backward, division by the token count (so the gradient is the mean loss's), clip the global gradient
 * norm to 1 (gpt_ref.py does not clip; the clip is one pass over the gradients), one AdamW step (lr 3e-4, weight decay
 * 0.1). Forward and backward run through {@link LocalReplicas}, the in-process trainer's path: with one replica on
 * the caller's thread, with n on n threads (each on its share of the batch's rows). Each replica's training graph
 * lives across all steps, so its arena recycles every activation and gradient buffer.
 *
 * <p>Configs (bias on, dropout 0), the reference's:
 * <ul>
 *   <li>{@code A}: V 256, C 128, 4 layers, 4 heads, context 128, batch 32 (4096 tokens per step);</li>
 *   <li>{@code B}: V 256, C 256, 6 layers, 8 heads, context 256, batch 16 (4096 tokens per step).</li>
 * </ul>
 * Tokens are uniform random; targets are each row shifted left by one, wrapping ({@code torch.roll(x, -1, 1)}).
 */
final class TrainStep {
  /** Distinct random batches cycled through, so no step sees exactly the data of the one before. */
  private static final int BATCHES = 4;

  private final Gpt model;
  private final Parameters parameters;
  private final AdamW optimizer;
  private final LocalReplicas<Gpt, RowsObjective.Rows> replicas;
  private final int batch;
  private final int time;
  private final int[][] ids;
  private final int[][] targets;
  private int next;

  /** A step of config {@code cfg} whose forward and backward run on {@code replicas} threads. */
  TrainStep(String cfg, int replicas) {
    int[] d = dimensions(cfg);
    int vocab = d[0];
    time = d[4];
    batch = d[5];
    model = Gpt.create(new GptConfig(vocab, time, d[2], d[3], d[1], 0.0, true), 0L);
    parameters = model.parameters();
    optimizer = new AdamW(AdamW.Config.defaults().withWeightDecay(0.1), parameters);
    this.replicas = new LocalReplicas<>(new RowsObjective(model.config()), model, replicas);
    SplittableRandom rnd = new SplittableRandom(1234);
    ids = new int[BATCHES][batch * time];
    targets = new int[BATCHES][batch * time];
    for (int n = 0; n < BATCHES; n++) {
      for (int i = 0; i < batch * time; i++) {
        ids[n][i] = rnd.nextInt(vocab);
      }
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < time; t++) {
          targets[n][b * time + t] = ids[n][b * time + (t + 1) % time];
        }
      }
    }
  }

  /** The model config and batch size of a config name: {V, C, layers, heads, context, batch}. */
  static int[] dimensions(String cfg) {
    switch (cfg) {
      case "A":
        return new int[] {256, 128, 4, 4, 128, 32};
      case "B":
        return new int[] {256, 256, 6, 8, 256, 16};
      default:
        throw new IllegalArgumentException("TrainStep: cfg must be A or B, got '" + cfg + "'");
    }
  }

  /** Whether a parallelism name means replicas ({@code "replicas"}) or threads inside ops ({@code "blas"}). */
  static boolean replicas(String parallelism) {
    switch (parallelism) {
      case "replicas":
        return true;
      case "blas":
        return false;
      default:
        throw new IllegalArgumentException("TrainStep: parallelism must be replicas or blas, got '" + parallelism + "'");
    }
  }

  /** Tokens in one step of a config: batch x context. */
  static int tokensPerStep(String cfg) {
    int[] d = dimensions(cfg);
    return d[4] * d[5];
  }

  /** Runs one step on the next batch; returns its mean loss. */
  float run() {
    int n = next;
    next = (next + 1) % BATCHES;
    parameters.zeroGrad();
    BatchGradient.Result r = RowsObjective.accumulate(replicas, new Batch(ids[n], targets[n], batch, time));
    parameters.grads().scaleInPlace((float) (1.0 / r.tokens()));
    GradientClipping.clipGlobalNorm(parameters.grads(), 1.0);
    optimizer.step(parameters, 3e-4);
    return (float) r.meanLoss();
  }
}
