package io.spindle.cli;

import io.spindle.train.TrainingConfig;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The optimisation options the training commands share ({@code train-lm}, {@code rl}): the same flags, read into
 * the same {@link TrainingConfig} settings. Six of them default differently per command (a language model from
 * scratch takes larger batches, a higher rate and a warm-up; a policy-gradient fine-tuning small, careful steps), so
 * they carry no default here: each command names its own in a {@link Defaults} given as its
 * {@code @Command(defaultValueProvider = ...)}. Picocli asks that provider before an option's annotation, for a
 * mixin's options too, and {@code ${DEFAULT-VALUE}} in the descriptions below shows the command's value.
 *
 * <p>Ranges are checked by the commands (train-lm names each option; rl leaves them to {@link TrainingConfig}).
 */
final class OptimizationOptions {
  @Option(names = "--batch-size", description = "Examples per step, over all threads or partitions: windows of "
      + "text for train-lm, prompts for rl (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--steps", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--lr", description = "Learning rate, the peak of the schedule (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--schedule", description = "Learning-rate schedule: cosine (warm-up, then cosine decay to a "
      + "tenth of --lr; train-lm's --min-lr sets another end), constant (--lr throughout) or noam (warm-up, then "
      + "1/sqrt(step) decay, peaking at --lr) (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--warmup", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--weight-decay", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--beta2", defaultValue = "0.99", description = "AdamW beta2 (default: ${DEFAULT-VALUE}).")
  double beta2;

  @Option(names = "--grad-clip", defaultValue = "1.0",
      description = "Global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE}).")
  double gradClip;

  @Option(names = "--seed", defaultValue = "1337", description = "Seed for all that is random in the run: the "
      + "initial weights (train-lm), the batches or prompts drawn, dropout, sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-minutes", defaultValue = "0",
      description = "Stop after this many minutes, 0 = no limit (default: ${DEFAULT-VALUE}).")
  double maxMinutes;

  @Option(names = "--threads", defaultValue = "0", description = "Threads for in-process training, each training "
      + "on its share of a step's batch; 0 = every core of this machine (default: ${DEFAULT-VALUE}). Spark "
      + "executors use spark.task.cpus instead.")
  int threads;

  @Option(names = "--micro-batches", defaultValue = "1", description = "Forward/backward passes per thread (or "
      + "Spark task) and step: gradient accumulation, bounding activation memory (default: ${DEFAULT-VALUE}).")
  int microBatches;

  /**
   * The settings of these options; a command adds its own (train-lm: the optimizer, momentum, ...) before
   * building.
   */
  TrainingConfig.Builder trainingConfig() {
    return TrainingConfig.builder().steps(steps).batchSize(batchSize).microBatches(microBatches)
        .schedule(OptionChecks.choice(TrainingConfig.ScheduleChoice.class, "--schedule", schedule))
        .learningRate(learningRate).warmupSteps(warmup).weightDecay(weightDecay).betas(0.9, beta2)
        .gradClip(gradClip).seed(seed).maxSeconds(maxMinutes * 60);
  }

  /**
   * A command's defaults of the six options above that have none: a subclass with a no-argument constructor passes
   * them, so that none can be forgotten, and is named in the command's {@code @Command(defaultValueProvider)}.
   */
  abstract static class Defaults implements IDefaultValueProvider {
    private final Map<String, String> byName;

    Defaults(String batchSize, String steps, String learningRate, String schedule, String warmup,
        String weightDecay) {
      byName = Map.of("--batch-size", batchSize, "--steps", steps, "--lr", learningRate, "--schedule", schedule,
          "--warmup", warmup, "--weight-decay", weightDecay);
    }

    /** The command's default of {@code arg} if it is one of the six, else null (its annotation's default). */
    @Override
    public String defaultValue(ArgSpec arg) {
      return arg instanceof OptionSpec option ? byName.get(option.longestName()) : null;
    }
  }
}
