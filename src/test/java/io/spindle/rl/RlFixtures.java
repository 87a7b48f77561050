package io.spindle.rl;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.spark.BroadcastModel;
import io.spindle.spark.SparkPrompts;
import io.spindle.train.PromptChunk;
import io.spindle.train.TrainingConfig;
import java.util.List;

/** A tiny character GPT, its prompts and the in-process objective the rl tests train with. */
final class RlFixtures {
  static final Tokenizer TOKENIZER = CharTokenizer.learn(List.of("abcde xyz.\n"),
      TokenizerOptions.defaults().withSpecials());
  static final GptConfig MODEL = new GptConfig(TOKENIZER.vocabSize(), 16, 2, 2, 16, 0.0, true);
  static final List<String> PROMPTS = List.of("ab", "xyz", "c", "de a", "zz.", "b c", "ee", "x");

  private RlFixtures() {}

  static Gpt model(long seed) {
    return Gpt.create(MODEL, seed);
  }

  /** The prompts as the one part of an in-process run. */
  static PromptChunk prompts() {
    return SparkPrompts.encode(0, PROMPTS.iterator(), TOKENIZER);
  }

  /** B = 4 prompts per step, constant rate 1e-2, no weight decay (fine-tuning pulls towards the reference). */
  static TrainingConfig training(int steps, long seed) {
    return TrainingConfig.builder().steps(steps).batchSize(4).learningRate(1e-2)
        .schedule(TrainingConfig.ScheduleChoice.CONSTANT).weightDecay(0).gradClip(1.0).seed(seed).build();
  }

  /** K = 4 completions of up to 6 tokens, no stop token. */
  static PolicyGradientConfig settings(double klWeight) {
    return new PolicyGradientConfig(4, klWeight, 6, -1, false);
  }

  /** The in-process objective for {@code model}, its starting weights the reference. */
  static PolicyGradientObjective objective(Gpt model, PolicyGradientConfig settings, TrainingConfig training,
      Reward reward) {
    return new PolicyGradientObjective(MODEL, settings, training, new long[] {0}, PROMPTS.size(), TOKENIZER, reward,
        BroadcastModel.local(GptFormat.INSTANCE, model));
  }
}
