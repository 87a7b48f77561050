package io.spindle.cli;

import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.train.MetricsLog;
import io.spindle.train.StepListener;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingProgress;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The end of a command that trains a GPT (train-lm, rl): it trains with a progress line into a staged model folder
 * ({@link StagedFolder}), writes the folder (metrics.jsonl with every step of the run, those of a run resumed from a
 * checkpoint included, then the model and its tokenizer) and commits it.
 */
final class TrainedFolder {
  private TrainedFolder() {}

  /** Trains a model, in this process or on Spark, reporting each step to the listener. */
  @FunctionalInterface
  interface Training {
    TrainingProgress run(StepListener listener) throws IOException;
  }

  /**
   * Runs {@code training}, showing its steps on the progress line {@code progressLine} makes once the folder is
   * staged, and commits the model folder {@code target} of {@code model} and {@code tokenizer}; refuses, with the
   * message {@code nothingTrained} gives, a run that took no step (a resumed run that was over already).
   */
  static TrainingProgress train(Path target, Gpt model, Tokenizer tokenizer, Supplier<ProgressLine> progressLine,
      Function<TrainingProgress, String> nothingTrained, Training training) throws IOException {
    try (StagedFolder staged = StagedFolder.create(target, SparkTraining.CHECKPOINTS);
        ProgressLine line = progressLine.get()) {
      AtomicLong taken = new AtomicLong();
      TrainingProgress progress = training.run(m -> {
        taken.incrementAndGet();
        line.update(m);
      });
      line.close();
      if (taken.get() == 0) {
        throw new IllegalArgumentException(nothingTrained.apply(progress));
      }
      try (OutputStream metricsFile = Files.newOutputStream(staged.path().resolve(MetricsLog.FILE_NAME));
          MetricsLog metrics = new MetricsLog(metricsFile)) {
        for (StepMetrics m : progress.stepMetrics()) {
          metrics.append(m);
        }
      }
      ModelFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(model, tokenizer), staged.path());
      staged.commit();
      return progress;
    }
  }
}
