package io.spindle.rl;

import io.spindle.data.CharTokenizer;
import io.spindle.data.Fortunes;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.ModelFolder;
import io.spindle.train.ClassifierObjective;
import io.spindle.train.Evaluation;
import io.spindle.train.ExampleChunk;
import io.spindle.train.LocalTrainer;
import io.spindle.train.TrainingConfig;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The data and the reward model of the RLHF demo in {@code docs/rl.md}, a plain main (not a test): from the English
 * (top-level) and German ({@code de/}) fortunes of Debian's {@code fortunes} and {@code fortunes-de} packages it
 * writes, into the folder given,
 * <ul>
 *   <li>{@code fortunes-en-de.txt}: every entry of both languages (at most {@value #MAX_CHARS} characters of each),
 *       shuffled, separated by blank lines: what {@code spindle train-lm} pretrains the GPT on;
 *   <li>{@code prompts.txt}: the first {@value #PROMPT_CHARS} characters of {@value #PROMPTS} entries, half of each
 *       language: what {@code spindle rl} draws prompts from;
 *   <li>{@code langid/}: an encoder classifier that tells English (class 0) from German (class 1), trained here on
 *       {@value #PER_LANGUAGE} entries per language with a character tokenizer of its own, its accuracy on
 *       {@value #HELD_OUT} held-out entries per language printed: the reward model, {@code classifier:DIR/langid:1}.
 * </ul>
 * Run as {@code docs/rl.md} shows; a few minutes on two cores.
 */
public final class FortunesDemo {
  static final Path ROOT = Path.of("/usr/share/games/fortunes");
  static final int MAX_CHARS = 400;
  static final int PROMPT_CHARS = 4;
  static final int PROMPTS = 400;
  static final int PER_LANGUAGE = 6000;
  static final int HELD_OUT = 500;
  static final long SEED = 7;

  private FortunesDemo() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: FortunesDemo OUT-DIR");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    Random random = new Random(SEED);
    List<String> english = entries(ROOT, random);
    List<String> german = entries(ROOT.resolve("de"), random);
    System.err.printf("%d English and %d German entries%n", english.size(), german.size());

    List<String> all = new ArrayList<>(english);
    all.addAll(german);
    Collections.shuffle(all, random);
    Files.writeString(out.resolve("fortunes-en-de.txt"), String.join("\n\n", all) + "\n");

    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < PROMPTS / 2; i++) {
      prompts.add(start(english.get(english.size() - 1 - i)));
      prompts.add(start(german.get(german.size() - 1 - i)));
    }
    Files.writeString(out.resolve("prompts.txt"), String.join("\n", prompts) + "\n");

    trainClassifier(english, german, out.resolve("langid"));
  }

  /** Every entry of the regular files of {@code dir} (no links, indexes or .u8 copies), cut, shuffled. */
  private static List<String> entries(Path dir, Random random) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().endsWith(".dat") && !p.getFileName().toString().endsWith(".u8"))
          .sorted().toList();
    }
    List<String> entries = new ArrayList<>();
    for (Path f : files) {
      for (String e : Fortunes.read(f)) {
        String t = e.strip();
        if (t.length() >= 2 * PROMPT_CHARS) {
          entries.add(t.length() > MAX_CHARS ? t.substring(0, MAX_CHARS) : t);
        }
      }
    }
    Collections.shuffle(entries, random);
    return entries;
  }

  /** An entry's first characters, on one line. */
  private static String start(String entry) {
    return entry.substring(0, PROMPT_CHARS).replace('\n', ' ').replace('\t', ' ');
  }

  /**
   * A 2-layer encoder (C = 64, 4 heads, the first 128 characters of a text, mean pooling) trained for 400 steps of
   * 32 entries, English 0 and German 1; saved with its tokenizer.
   */
  private static void trainClassifier(List<String> english, List<String> german, Path folder) throws IOException {
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<String> heldOut = new ArrayList<>();
    List<Integer> heldOutLabels = new ArrayList<>();
    for (int label = 0; label < 2; label++) {
      List<String> language = label == 0 ? english : german;
      for (int i = 0; i < PER_LANGUAGE + HELD_OUT; i++) {
        (i < PER_LANGUAGE ? texts : heldOut).add(language.get(i));
        (i < PER_LANGUAGE ? labels : heldOutLabels).add(label);
      }
    }
    Tokenizer tok = CharTokenizer.learn(texts, TokenizerOptions.defaults());
    EncoderConfig config = EncoderConfig.of(tok.vocabSize(), 128, 2, 4, 64, 2);
    EncoderClassifier model = EncoderClassifier.create(config, SEED);
    TrainingConfig training = TrainingConfig.builder().steps(400).batchSize(32).learningRate(1e-3)
        .warmupSteps(40).weightDecay(0.01).seed(SEED).build();
    ExampleChunk train = chunk(tok, texts, labels);
    ExampleChunk validation = chunk(tok, heldOut, heldOutLabels);
    ClassifierObjective objective = new ClassifierObjective(config, SEED, training.batchSize(), new long[] {0},
        train.size());
    TrainingProgress p = new LocalTrainer<>(objective, model, training, 2).train(train, validation,
        ValidationPolicy.every(100), m -> { });
    Evaluation e = objective.evaluateAll(model, validation, 0);
    System.err.printf("language identifier: held-out loss %.4f, accuracy %.4f over %d entries (%s)%n",
        e.meanLoss(), e.accuracy(), e.count(), p.stopReason());
    ModelFolder.save(EncoderClassifierFormat.INSTANCE, ModelFolder.Contents.of(model, tok), folder);
  }

  private static ExampleChunk chunk(Tokenizer tok, List<String> texts, List<Integer> labels) {
    int[][] ids = new int[texts.size()][];
    int[] y = new int[texts.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tok.encode(texts.get(i));
      y[i] = labels.get(i);
    }
    return new ExampleChunk(0, ids, y);
  }
}
