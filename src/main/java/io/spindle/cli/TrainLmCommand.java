package io.spindle.cli;

import io.spindle.data.BpeTokenizer;
import io.spindle.data.CharTokenizer;
import io.spindle.data.Special;
import io.spindle.data.Texts;
import io.spindle.data.TokenSplit;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.data.WordTokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.spark.SparkTokenStream;
import io.spindle.tensor.Storage;
import io.spindle.train.LmObjective;
import io.spindle.train.LocalTrainer;
import io.spindle.train.StepListener;
import io.spindle.train.StepMetrics;
import io.spindle.train.TokenChunk;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spindle train-lm}: learn a tokenizer from text, train a GPT on it, in this process or, with
 * {@code --master} (or under {@code spark-submit}), data-parallel on Spark ({@link SparkTraining}); write the model
 * folder (config.json, model.safetensors, tokenizer.json, metrics.jsonl) and print a sample.
 *
 * <p>The folder is assembled under a temporary sibling name and renamed into place only when complete, so an
 * interrupted run leaves no half-written model folder (and an existing folder of that name intact).
 */
@Command(name = "train-lm", sortOptions = false,
    defaultValueProvider = TrainLmCommand.Defaults.class,
    description = "Train a GPT language model on text files and write a model folder.")
final class TrainLmCommand implements Callable<Integer> {
  @Option(names = "--text", required = true, arity = "1..*", paramLabel = "PATH",
      description = "UTF-8 text file(s) to train on (.gz accepted); the last --val-fraction is held out. With "
          + "--master: any Hadoop path or glob (file:, hdfs:, s3a:), read and tokenized on the executors.")
  List<String> texts;

  @Option(names = "--model-dir", defaultValue = "spindle-model",
      description = "Model folder to write. An existing one is replaced only if it is empty or a Spindle model "
          + "folder (its checkpoints/ kept); any other folder is refused (default: ${DEFAULT-VALUE}).")
  Path modelDir;

  @Option(names = "--tokenizer", defaultValue = "char", description = "char (one token per character), word (words "
      + "and punctuation; words seen once are dropped) or bpe (byte-level byte-pair encoding: subwords learned from "
      + "the text, never an unknown token; pairs seen once are not merged) (default: ${DEFAULT-VALUE}).")
  String tokenizer;

  @Option(names = "--vocab-size", defaultValue = "" + TokenizerOptions.DEFAULT_MAX_VOCAB_SIZE, paramLabel = "N",
      description = "Largest vocabulary, the 4 special tokens included: the most frequent characters or words are "
          + "kept; for bpe, merges are learned until the vocabulary has N tokens (at least 260: 256 bytes and the "
          + "specials) (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Option(names = "--n-layer", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
  int numLayers;

  @Option(names = "--n-head", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int numHeads;

  @Option(names = "--n-embd", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
  int embedDim;

  @Option(names = "--block-size", defaultValue = "128", description = "Context length (default: ${DEFAULT-VALUE}).")
  int blockSize;

  @Option(names = "--dropout", defaultValue = "0.0", description = "Dropout while training (default: ${DEFAULT-VALUE}).")
  double dropout;

  @Option(names = "--bias", defaultValue = "true", negatable = true, fallbackValue = "true",
      description = "Biases in Linear and LayerNorm layers (default: ${DEFAULT-VALUE}).")
  boolean bias;

  @Mixin
  OptimizationOptions optimization;

  @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw (AdamW with --beta2 and "
      + "--weight-decay) or sgd (SGD with --momentum, no weight decay) (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum, 0 = none (default: ${DEFAULT-VALUE}).")
  double momentum;

  @Option(names = "--min-lr", description = "Final learning rate of the cosine decay (default: lr / 10).")
  Double minLearningRate;

  @Option(names = "--eval-every", defaultValue = "100", description = "Validate every N steps, 0 = only at the end (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(names = "--eval-batches", defaultValue = "20", description = "Validation batches per evaluation; the final one uses all (default: ${DEFAULT-VALUE}).")
  int evalBatches;

  @Option(names = "--early-stopping", defaultValue = "0", paramLabel = "N", description = "Stop after N evaluations "
      + "in a row without a lower validation loss, keeping the weights of the best one; 0 = never (default: "
      + "${DEFAULT-VALUE}).")
  int patience;

  @Option(names = "--val-fraction", defaultValue = "0.05", description = "Held-out tail of the text (default: ${DEFAULT-VALUE}).")
  double valFraction;

  @Option(names = "--decay-over-time",
      description = "With --max-minutes: pace the cosine decay by the time limit as well as by --steps, so the learning "
          + "rate reaches --min-lr when the minutes run out even if fewer steps fit (its progress after warm-up is the "
          + "larger of the step and time fractions). The rates then depend on the machine's speed: such a run is not "
          + "reproducible bit for bit.")
  boolean decayOverTime;

  @Option(names = "--deterministic", description = "Sum each window's gradient along one canonical tree, so that the "
      + "weights are the same bits for any --threads, --partitions, --aggregation-depth or --micro-batches (which "
      + "it ignores); slower (one forward/backward per window), and not with --bf16-gradients.")
  boolean deterministic;

  @Option(names = "--sample-tokens", defaultValue = "300", description = "Tokens of sample text printed at the end, 0 = none (default: ${DEFAULT-VALUE}).")
  int sampleTokens;

  @Mixin
  SparkRunOptions spark;

  @Override
  public Integer call() throws Exception {
    checkOptions();
    if (decayOverTime && !(optimization.maxMinutes > 0)) {
      throw new IllegalArgumentException("--decay-over-time needs --max-minutes > 0");
    }
    TrainingConfig training = trainingConfig();
    ValidationPolicy policy = new ValidationPolicy(evalEvery, patience, 0, evalBatches);
    if (!(valFraction >= 0 && valFraction < 1)) {
      throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
    }
    TokenizerOptions tokenizerOptions = tokenizerOptions();
    String sparkMaster = spark.sparkMaster();
    spark.check();
    if (patience > 0 && valFraction == 0) {
      throw new IllegalArgumentException("--early-stopping needs validation tokens: --val-fraction is 0");
    }
    Path target = modelDir.toAbsolutePath().normalize();
    ModelFolderTarget.checkReplaceable(target); // before any work: a refused folder costs the user nothing
    if (sparkMaster != null) {
      try (SparkTraining session = spark.start("train-lm", target)) {
        JavaRDD<String> lines = session.lines(texts);
        Tokenizer tok = session.learnTokenizer(lines, tokenizer, tokenizerOptions);
        MemoryCheck.sparkTraining(gptConfig(tok.vocabSize()), optimization.batchSize, optimization.microBatches,
            session.partitions(), sparkMaster.startsWith("local"));
        try (SparkTokenStream data = session.tokenize(lines, tok, blockSize, valFraction)) {
          return trainAndSave(target, tok, data.length(), data.validationTokens().length,
              SparkTraining.firstToken(data),
              (model, listener) -> session.train(model, training, policy, tok, data, listener));
        }
      }
    }
    int trainerThreads = optimization.threads == 0
        ? Math.min(optimization.batchSize, Runtime.getRuntime().availableProcessors()) : optimization.threads;
    // early: before reading the text, with the smallest vocabulary; again below with the tokenizer's
    MemoryCheck.inProcessTraining(gptConfig(1), optimization.batchSize, optimization.microBatches, trainerThreads);
    String text = readTexts(gptConfig(1));
    Tokenizer tok = switch (tokenizer) {
      case "char" -> CharTokenizer.learn(List.of(text), tokenizerOptions);
      case "word" -> WordTokenizer.learn(List.of(text), tokenizerOptions);
      default -> BpeTokenizer.learn(List.of(text), tokenizerOptions);
    };
    MemoryCheck.inProcessTraining(gptConfig(tok.vocabSize()), optimization.batchSize, optimization.microBatches,
        trainerThreads);
    TokenSplit split = TokenSplit.of(tok.encode(text), valFraction);
    if (split.train().length <= blockSize) {
      throw new IllegalArgumentException("the training text has " + split.train().length
          + " tokens; it needs more than --block-size (" + blockSize + ")");
    }
    int[] prompt = tok.encode(text.substring(0, text.offsetByCodePoints(0, 1)));
    TokenChunk validation = split.validation().length > 1 ? LmObjective.whole(split.validation(), blockSize) : null;
    return trainAndSave(target, tok, split.train().length, split.validation().length, prompt,
        (model, listener) -> new LocalTrainer<>(new LmObjective(model.config(), optimization.seed,
            optimization.batchSize, split.train().length), model, training, trainerThreads)
            .train(LmObjective.whole(split.train(), blockSize), validation, policy, listener));
  }

  /** Trains a model, in this process or on Spark. */
  @FunctionalInterface
  private interface Training {
    TrainingProgress run(Gpt model, StepListener listener) throws IOException;
  }

  /**
   * Creates the model, trains it with {@code training} into a staged folder with its metrics (every step of the
   * run, those of a run resumed from a checkpoint included), commits the folder and prints a sample continuing
   * {@code prompt}.
   */
  private int trainAndSave(Path target, Tokenizer tok, long trainTokens, long validationTokens, int[] prompt,
      Training training) throws IOException {
    Gpt model = Gpt.create(gptConfig(tok.vocabSize()), optimization.seed);
    System.err.printf("spindle: %,d parameters, vocab %d, %,d training / %,d validation tokens%n",
        model.parameters().count(), tok.vocabSize(), trainTokens, validationTokens);
    TrainingProgress progress = TrainedFolder.train(target, model, tok,
        () -> new ProgressLine("train-lm", optimization.steps),
        p -> "the run resumed from is over at step " + p.steps() + " (" + p.stopReason() + "); nothing to train"
            + (p.stoppedEarly() ? "" : " (raise --steps to train further)"),
        listener -> training.run(model, listener));
    StepMetrics last = progress.last();
    double[] validation = progress.validationLossHistory();
    System.err.printf("spindle: %d steps, train loss %.4f, val loss %s, %.0f tok/s; %s; model in %s%n",
        last.step(), last.loss(), validation.length == 0 ? "n/a"
            : String.format("%.4f", validation[validation.length - 1]), last.tokensPerSecond(),
        progress.stopReason(), target);
    if (sampleTokens > 0) {
      StreamedSample.print(model, tok, tok.decode(prompt), prompt, sampleTokens, 0.8, 0, optimization.seed);
    }
    return 0;
  }

  /** The model for a vocabulary of {@code vocabSize} tokens. */
  private GptConfig gptConfig(int vocabSize) {
    return new GptConfig(vocabSize, blockSize, numLayers, numHeads, embedDim, dropout, bias);
  }

  /**
   * Refuses, before any work, options outside their ranges and a model no machine can build (more parameters than
   * one buffer holds, whatever the vocabulary).
   */
  private void checkOptions() {
    OptionChecks.atLeast("--n-layer", numLayers, 1);
    OptionChecks.atLeast("--n-head", numHeads, 1);
    OptionChecks.atLeast("--n-embd", embedDim, 1);
    OptionChecks.atLeast("--block-size", blockSize, 1);
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException("--n-embd (" + embedDim + ") must be divisible by --n-head (" + numHeads
          + ")");
    }
    double parameters = GptConfig.parameterCount(1, blockSize, numLayers, embedDim, bias);
    if (parameters > Storage.MAX_LENGTH) {
      throw new IllegalArgumentException("--n-layer " + numLayers + " x --n-embd " + embedDim + " (with --block-size "
          + blockSize + ") make " + Sizes.count(parameters) + " parameters, more than the "
          + Sizes.count(Storage.MAX_LENGTH) + " that one parameter buffer holds: lower --n-layer or --n-embd");
    }
    OptionChecks.inHalfOpen("--dropout", dropout, 0, 1);
    OptionChecks.atLeast("--batch-size", optimization.batchSize, 1);
    OptionChecks.atLeast("--steps", optimization.steps, 1);
    OptionChecks.above("--lr", optimization.learningRate, 0);
    if (minLearningRate != null && !(minLearningRate >= 0 && minLearningRate <= optimization.learningRate)) {
      throw new IllegalArgumentException("--min-lr must be in [0, --lr " + optimization.learningRate + "], got "
          + minLearningRate);
    }
    OptionChecks.atLeast("--warmup", optimization.warmup, 0);
    OptionChecks.atLeast("--weight-decay", optimization.weightDecay, 0);
    OptionChecks.inHalfOpen("--beta2", optimization.beta2, 0, 1);
    OptionChecks.atLeast("--grad-clip", optimization.gradClip, 0);
    OptionChecks.atLeast("--eval-every", evalEvery, 0);
    OptionChecks.atLeast("--eval-batches", evalBatches, 0);
    OptionChecks.atLeast("--early-stopping", patience, 0);
    OptionChecks.inHalfOpen("--momentum", momentum, 0, 1);
    OptionChecks.inHalfOpen("--val-fraction", valFraction, 0, 1);
    OptionChecks.atLeast("--max-minutes", optimization.maxMinutes, 0);
    OptionChecks.atLeast("--threads", optimization.threads, 0);
    if (optimization.threads > optimization.batchSize) {
      throw new IllegalArgumentException("--threads " + optimization.threads + " is more than --batch-size "
          + optimization.batchSize
          + ": each thread trains on a share of the batch of at least one sequence");
    }
    OptionChecks.atLeast("--micro-batches", optimization.microBatches, 1);
    OptionChecks.atLeast("--sample-tokens", sampleTokens, 0);
  }

  /** The optimisation settings of the options; an impossible one is refused naming it. */
  private TrainingConfig trainingConfig() {
    TrainingConfig.OptimizerChoice chosen = OptionChecks.choice(TrainingConfig.OptimizerChoice.class, "--optimizer",
        optimizer); // before --schedule's, as ever: a run with both wrong names --optimizer
    TrainingConfig.Builder b = optimization.trainingConfig().optimizer(chosen).momentum(momentum)
        .decayOverTime(decayOverTime).deterministic(deterministic);
    if (minLearningRate != null) {
      b.minLearningRate(minLearningRate);
    }
    return b.build();
  }

  /**
   * The texts joined by line breaks, read within the heap that training {@code model} leaves (refused, naming the
   * file and the limit, when they do not fit).
   */
  private String readTexts(GptConfig model) throws IOException {
    List<String> parts = new ArrayList<>();
    long budget = MemoryCheck.textLimit(MemoryCheck.TRAINING_BYTES_PER_TEXT_BYTE, model);
    String reason = MemoryCheck.textLimitReason(MemoryCheck.TRAINING_BYTES_PER_TEXT_BYTE,
        "train on Spark (--master 'local[*]'), which reads the text in partitions");
    for (String name : texts) {
      Path p = Path.of(name);
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("text file " + p + " does not exist or is not a file");
      }
      String s = Texts.read(p, budget, reason + (texts.size() > 1 ? "; the files before it took the rest" : ""));
      if (s.isEmpty()) {
        throw new IllegalArgumentException("text file " + p + " is empty");
      }
      budget = Math.max(0, budget - s.length()); // a character is at least one byte
      parts.add(s);
    }
    return String.join("\n", parts);
  }

  /**
   * Every special token and at most {@code --vocab-size} tokens; word vocabularies keep words seen at least twice,
   * and BPE merges pairs seen at least twice.
   */
  private TokenizerOptions tokenizerOptions() {
    int least = "bpe".equals(tokenizer) ? 256 + Special.values().length : Special.values().length + 1;
    if (vocabSize < least) {
      throw new IllegalArgumentException("--vocab-size must be at least " + least + " for --tokenizer " + tokenizer
          + ", got " + vocabSize);
    }
    TokenizerOptions options = TokenizerOptions.defaults().withMaxVocabSize(vocabSize);
    return switch (tokenizer) {
      case "char" -> options;
      case "word", "bpe" -> options.withMinCount(2);
      default -> throw new IllegalArgumentException("--tokenizer must be char, word or bpe, got '" + tokenizer + "'");
    };
  }

  /** train-lm's defaults of the shared optimisation options: a model from scratch, warmed up and decayed. */
  static final class Defaults extends OptimizationOptions.Defaults {
    Defaults() {
      // --batch-size, --steps, --lr, --schedule, --warmup, --weight-decay
      super("32", "500", "2e-3", "cosine", "100", "0.1");
    }
  }
}
