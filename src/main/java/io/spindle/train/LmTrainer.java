package io.spindle.train;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.data.Batch;
import io.spindle.data.TokenWindows;
import io.spindle.nn.Gpt;
import io.spindle.nn.Seeds;
import io.spindle.optim.AdamW;
import io.spindle.optim.GradientClipping;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.optim.WarmupCosineSchedule;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link Gpt} in this JVM: the reference the Spark trainer reproduces, and the laptop experience.
 *
 * <p>Each step: zero the gradients; draw B random windows of the training tokens (the draw is a pure function of
 * (seed, step)); add the gradient of the summed loss ({@link BatchGradient}); divide by the token count (so it is the
 * mean loss's gradient); clip to the global norm; take an AdamW step at the scheduled rate (linear warm-up, cosine
 * decay to the minimum at the last step). A step whose gradient is not finite is skipped with a warning. The
 * validation loss is the mean over consecutive windows of the validation tokens.
 */
public final class LmTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(LmTrainer.class);

  private final Gpt model;
  private final LmTrainingConfig config;
  private final AdamW optimizer;
  private final LearningRateSchedule schedule;

  /** Receives each step's metrics, in order. */
  @FunctionalInterface
  public interface Listener {
    void onStep(StepMetrics metrics) throws IOException;
  }

  public LmTrainer(Gpt model, LmTrainingConfig config) {
    this.model = model;
    this.config = config;
    this.optimizer = new AdamW(AdamW.Config.defaults().withBetas(config.beta1(), config.beta2())
        .withWeightDecay(config.weightDecay()), model.parameters());
    this.schedule = new WarmupCosineSchedule(config.learningRate(), config.minLearningRate(),
        Math.min(config.warmupSteps(), config.steps()), config.steps());
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** Runs training; returns the metrics of the last step taken. */
  public StepMetrics train(int[] trainTokens, int[] validationTokens, Listener listener) throws IOException {
    int blockSize = model.config().blockSize();
    TokenWindows windows = new TokenWindows(trainTokens, blockSize);
    List<Batch> validation = validationTokens.length > 1
        ? new TokenWindows(validationTokens, Math.min(blockSize, validationTokens.length - 1))
            .evaluationBatches(config.batchSize())
        : List.of();
    Parameters params = model.parameters();
    Graph graph = Graph.training();
    long start = System.nanoTime();
    long tokens = 0;
    long evalNanos = 0;
    StepMetrics last = null;
    for (int step = 0; step < config.steps(); step++) {
      params.zeroGrad();
      Batch batch = windows.sample(config.batchSize(), new SplittableRandom(Seeds.derive(config.seed(), step, 0)));
      BatchGradient.Result r = BatchGradient.accumulate(model, graph, batch, Seeds.derive(config.seed(), step, 1));
      params.grads().scaleInPlace((float) (1.0 / r.tokens()));
      double norm = config.gradClip() > 0
          ? GradientClipping.clipGlobalNorm(params.grads(), config.gradClip())
          : GradientClipping.globalNorm(params.grads());
      double lr = schedule.rate(step);
      if (Double.isFinite(norm) && Double.isFinite(r.lossSum())) {
        optimizer.step(params, lr);
      } else {
        LOG.warn("step {}: non-finite loss or gradient (loss {}, grad norm {}); step skipped", step + 1,
            r.meanLoss(), norm);
      }
      tokens += r.tokens();
      double elapsed = (System.nanoTime() - start) / 1e9;
      boolean lastStep = step == config.steps() - 1 || (config.maxSeconds() > 0 && elapsed >= config.maxSeconds());
      double valLoss = Double.NaN;
      if (!validation.isEmpty() && (lastStep || (config.evalEvery() > 0 && (step + 1) % config.evalEvery() == 0))) {
        List<Batch> subset = lastStep || config.evalBatches() == 0
            ? validation : validation.subList(0, Math.min(config.evalBatches(), validation.size()));
        long evalStart = System.nanoTime();
        valLoss = BatchGradient.evaluate(model, subset).meanLoss();
        evalNanos += System.nanoTime() - evalStart;
      }
      double trainSeconds = (System.nanoTime() - start - evalNanos) / 1e9;
      last = new StepMetrics(step + 1, r.meanLoss(), lr, tokens / trainSeconds, elapsed, norm, valLoss);
      listener.onStep(last);
      if (lastStep) {
        break;
      }
    }
    return last;
  }
}
