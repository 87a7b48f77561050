package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.data.BadInputException;
import io.spindle.data.Texts;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.rl.PolicyGradientConfig;
import io.spindle.rl.PolicyGradientObjective;
import io.spindle.rl.Reward;
import io.spindle.rl.Rewards;
import io.spindle.rl.SampleReport;
import io.spindle.spark.BroadcastModel;
import io.spindle.spark.SparkPrompts;
import io.spindle.spark.SparkTrainer;
import io.spindle.train.LocalTrainer;
import io.spindle.train.PromptChunk;
import io.spindle.train.StepMetrics;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spindle rl}: fine-tune a GPT model folder with policy gradients ({@link PolicyGradientObjective}) so that its
 * completions of the prompts maximise a reward ({@link Rewards} names the built-in ones), in this process or, with
 * {@code --master}, on Spark; write the fine-tuned model folder (config, weights, tokenizer, metrics.jsonl with the
 * reward, the KL to the starting model, the entropy and the share of completions that hit the length limit per
 * step). Before training and after, it samples one completion for each of the first {@code --report-prompts}
 * prompts with the starting and the fine-tuned model ({@link SampleReport}, the same seeds for both) and prints the
 * mean reward and the starting model's loss on them, then a few of the pairs.
 *
 * <p>The output folder is staged and committed as {@code train-lm}'s is ({@link StagedFolder}); it may not be the
 * input folder.
 */
@Command(name = "rl", sortOptions = false,
    defaultValueProvider = RlCommand.Defaults.class,
    description = "Fine-tune a GPT model folder with policy gradients to maximise a reward on its completions.")
final class RlCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--model-dir", required = true, paramLabel = "IN",
      description = "The GPT model folder to start from (train-lm's); it is also the reference of the KL penalty.")
  Path modelDir;

  @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "UTF-8 text, one prompt per "
      + "line (empty lines skipped; .gz accepted); each must use the model's vocabulary. With --master: any Hadoop "
      + "path, read and tokenized on the executors.")
  String prompts;

  @Option(names = "--reward", required = true, paramLabel = "SPEC", description = "What to maximise: vowels "
      + "(the share of vowels in a completion), match:REGEX (the share of its characters that REGEX matches), "
      + "length:MIN-MAX (1 for MIN to MAX characters, less outside), classifier:DIR:CLASS (the probability of "
      + "class index CLASS of prompt + completion under the encoder classifier in model folder DIR).")
  String reward;

  @Option(names = "--out-dir", required = true, paramLabel = "OUT", description = "Model folder to write. An "
      + "existing one is replaced only if it is empty or a Spindle model folder (its checkpoints/ kept).")
  Path outDir;

  @Option(names = "--samples", defaultValue = "8", paramLabel = "K",
      description = "Completions per prompt; each one's baseline is its group's mean reward (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--kl", defaultValue = "0.05", paramLabel = "BETA",
      description = "Weight of the per-token KL penalty to the starting model (default: ${DEFAULT-VALUE}).")
  double klWeight;

  @Option(names = "--max-new-tokens", defaultValue = "48",
      description = "Longest completion, in tokens (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--stop", paramLabel = "TOKEN", description = "A token that ends a completion, e.g. '\\n' (the "
      + "escapes \\n, \\t and \\\\ are understood) or <eos>; default: none, every completion is --max-new-tokens long.")
  String stop;

  @Option(names = "--normalize-advantages", description = "Divide each advantage by its group's reward standard "
      + "deviation (GRPO's scaling).")
  boolean normalizeAdvantages;

  @Mixin
  OptimizationOptions optimization;

  @Option(names = "--report-prompts", defaultValue = "32", paramLabel = "N", description = "Prompts (the file's "
      + "first) sampled before and after training for the report; 0 = no report (default: ${DEFAULT-VALUE}).")
  int reportPrompts;

  @Option(names = "--report-shown", defaultValue = "4", paramLabel = "N",
      description = "Before/after pairs of the report printed (default: ${DEFAULT-VALUE}).")
  int reportShown;

  @Mixin
  SparkRunOptions spark;

  @Override
  public Integer call() throws Exception {
    spark.check();
    if (optimization.threads < 0 || reportPrompts < 0 || reportShown < 0) {
      throw new IllegalArgumentException("--threads, --report-prompts and --report-shown must be >= 0");
    }
    Path source = modelDir.toAbsolutePath().normalize();
    Path target = outDir.toAbsolutePath().normalize();
    if (source.equals(target)) {
      throw new IllegalArgumentException("--out-dir must differ from --model-dir: the starting model is the "
          + "reference of the KL penalty, and a failed run must not have replaced it");
    }
    ModelFolderTarget.requireModel(source);
    ModelFolderTarget.checkReplaceable(target);
    ModelFolder.Contents<Gpt> start = ModelFolder.load(GptFormat.INSTANCE, source);
    Gpt model = start.model();
    Tokenizer tok = start.tokenizer();
    PolicyGradientConfig settings = new PolicyGradientConfig(samples, klWeight, maxNewTokens, stopToken(tok),
        normalizeAdvantages);
    TrainingConfig training = optimization.trainingConfig().build();
    Gpt reference = ModelFolder.load(GptFormat.INSTANCE, source).model();
    String master = spark.sparkMaster();
    if (master == null) {
      PromptChunk data = SparkPrompts.encode(0, readPrompts().iterator(), tok);
      if (data.size() == 0) {
        throw new BadInputException("prompts: " + prompts + " holds no prompt (only empty lines)");
      }
      Reward r = Rewards.parse(reward, null);
      PolicyGradientObjective objective = new PolicyGradientObjective(model.config(), settings, training,
          new long[] {0}, data.size(), tok, r, BroadcastModel.local(GptFormat.INSTANCE, reference));
      int trainerThreads = optimization.threads == 0 ? Runtime.getRuntime().availableProcessors()
          : optimization.threads;
      List<int[]> reported = Arrays.asList(data.prompts()).subList(0, Math.min(reportPrompts, data.size()));
      return trainAndSave(target, model, reference, tok, reported, r, settings, data.size(),
          listener -> new LocalTrainer<>(objective, model, training, trainerThreads).train(data, null, null,
              listener));
    }
    try (SparkTraining session = spark.start("rl", target)) {
      Reward r = Rewards.parse(reward, session.context());
      try (SparkPrompts data = SparkPrompts.ofText(session.context().textFile(prompts, session.partitions()),
          tok)) {
        session.announce(data.partitions());
        PolicyGradientObjective objective = new PolicyGradientObjective(model.config(), settings, training,
            data.offsets(), data.count(), tok, r, BroadcastModel.of(session.context(), GptFormat.INSTANCE,
            reference));
        List<int[]> reported = new ArrayList<>();
        for (String line : session.context().textFile(prompts).filter(l -> !l.isEmpty()).take(reportPrompts)) {
          reported.add(tok.encodeStrict(line));
        }
        SparkTrainer<Gpt, PromptChunk> trainer = session.trainer(objective, model, training, tok);
        return trainAndSave(target, model, reference, tok, reported, r, settings, data.count(),
            listener -> trainer.train(data, null, null, listener));
      }
    }
  }

  /**
   * Reports the starting model's samples, trains, writes the staged folder with its metrics and commits it, then
   * reports the fine-tuned model's samples beside the starting model's.
   */
  private int trainAndSave(Path target, Gpt model, Gpt reference, Tokenizer tok, List<int[]> reported,
      Reward r, PolicyGradientConfig settings, long promptCount, TrainedFolder.Training training) throws IOException {
    System.err.printf("spindle: %,d parameters, %,d prompts, %d completions of up to %d tokens per prompt, "
        + "%d prompts per step, KL weight %s, reward %s%n", model.parameters().count(), promptCount, samples,
        maxNewTokens, optimization.batchSize, klWeight, r);
    SampleReport before = reportPrompts == 0 ? null
        : SampleReport.of(model, reference, tok, reported, r, settings, optimization.seed);
    if (before != null) {
      System.out.println(summary("start", before));
    }
    TrainingProgress progress = TrainedFolder.train(target, model, tok,
        () -> new ProgressLine("rl", optimization.steps, "completions",
            List.of("reward", "kl", "entropy", "max_length_share")),
        p -> "the checkpoint resumed from is already at step " + p.steps() + " (" + p.stopReason()
            + "); nothing to train (raise --steps to train further)", training);
    StepMetrics last = progress.last();
    System.err.printf("spindle: %d steps, last step: reward %.4f, KL %.4f, entropy %.4f; %s; model in %s%n",
        last.step(), last.extra().get("reward"), last.extra().get("kl"), last.extra().get("entropy"),
        progress.stopReason(), target);
    if (before != null) {
      SampleReport after = SampleReport.of(model, reference, tok, reported, r, settings, optimization.seed);
      System.out.println(summary("tuned", after));
      for (int i = 0; i < Math.min(reportShown, reported.size()); i++) {
        System.out.printf("prompt: %s%n  start (%.3f): %s%n  tuned (%.3f): %s%n", oneLine(before.prompts().get(i)),
            before.rewards()[i], oneLine(before.completions().get(i)), after.rewards()[i],
            oneLine(after.completions().get(i)));
      }
    }
    return 0;
  }

  /** One JSON line: which model, its mean reward and the reference's loss on its samples. */
  private static String summary(String which, SampleReport report) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("model", which);
    o.put("samples", report.completions().size());
    o.put("mean_reward", report.meanReward());
    o.put("reference_loss", report.referenceLoss());
    return JSON.writeValueAsString(o);
  }

  /** Newlines and tabs shown as escapes, so a sample stays on its line. */
  private static String oneLine(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
  }

  /** The id of {@code --stop}, or -1; refused unless it is one token of the vocabulary. */
  private int stopToken(Tokenizer tok) {
    if (stop == null) {
      return -1;
    }
    String token = stop.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
    try {
      return tok.id(token);
    } catch (IllegalArgumentException e) {
      throw new BadInputException("--stop '" + stop + "' is not a token of the model's vocabulary");
    }
  }

  private List<String> readPrompts() throws IOException {
    Path p = Path.of(prompts);
    if (!Files.isRegularFile(p)) {
      throw new BadInputException("prompts file " + p + " does not exist or is not a file");
    }
    return List.of(Texts.read(p).split("\r?\n"));
  }

  /** rl's defaults of the shared optimisation options: small steps from a trained model, no warm-up or decay. */
  static final class Defaults extends OptimizationOptions.Defaults {
    Defaults() {
      // --batch-size, --steps, --lr, --schedule, --warmup, --weight-decay
      super("8", "200", "3e-4", "constant", "0", "0");
    }
  }
}
