package io.spindle.rl;

import io.spindle.data.Tokenizer;
import io.spindle.spark.ClassifierInference;
import java.util.ArrayList;
import java.util.List;

/**
 * A fitted encoder classifier as the reward model, the RLHF recipe on Spindle's own parts: the reward of a completion
 * is the classifier's probability of class c for the text {@code prompt + completion},
 * {@code softmax(logits)_c} in [0, 1].
 *
 * <p>The text is encoded with the classifier's own tokenizer ({@link Tokenizer#encode}: characters or words outside
 * its vocabulary become {@code <unk>}), truncated to the classifier's maximum length as its inference does, and
 * scored in batches of {@value #BATCH} (no dropout). The classifier travels as a {@link ClassifierInference}: its
 * weights broadcast once on Spark, or held in this object in the in-process trainer; the tokenizer as its
 * {@code tokenizer.json}, parsed once per task.
 */
public final class ClassifierReward implements Reward {
  private static final long serialVersionUID = 1L;
  /** Texts per classifier forward pass. */
  static final int BATCH = 64;

  private final ClassifierInference classifier;
  private final byte[] tokenizerJson;
  private final int classIndex;
  private final String name;
  private transient Tokenizer tokenizer;

  /**
   * The probability of class {@code classIndex} (in [0, K)) under {@code classifier} with {@code tokenizer};
   * {@code name} says which classifier it is ({@link #describe()}).
   */
  public ClassifierReward(ClassifierInference classifier, Tokenizer tokenizer, int classIndex, String name) {
    if (classIndex < 0 || classIndex >= classifier.numClasses()) {
      throw new IllegalArgumentException("classifier reward: class " + classIndex + " outside [0, "
          + classifier.numClasses() + ")");
    }
    if (tokenizer.vocabSize() > classifier.vocabSize()) {
      throw new IllegalArgumentException("classifier reward: the tokenizer has " + tokenizer.vocabSize()
          + " tokens but the classifier's vocabulary is " + classifier.vocabSize());
    }
    this.classifier = classifier;
    this.tokenizerJson = tokenizer.toBytes();
    this.classIndex = classIndex;
    this.name = name;
    this.tokenizer = tokenizer;
  }

  public int classIndex() {
    return classIndex;
  }

  @Override
  public double score(String prompt, String completion) {
    return scoreAll(List.of(prompt), List.of(completion))[0];
  }

  /**
   * One probability per text, in batches; a text that encodes to no token at all (a word tokenizer given only
   * spaces) is scored as the single token 0.
   */
  @Override
  public double[] scoreAll(List<String> prompts, List<String> completions) {
    Tokenizer tok = tokenizer();
    int k = classifier.numClasses();
    double[] rewards = new double[completions.size()];
    for (int start = 0; start < rewards.length; start += BATCH) {
      int end = Math.min(rewards.length, start + BATCH);
      List<int[]> batch = new ArrayList<>(end - start);
      for (int i = start; i < end; i++) {
        int[] ids = tok.encode(prompts.get(i) + completions.get(i));
        batch.add(ids.length > 0 ? ids : new int[] {0});
      }
      float[] logits = classifier.logits(batch); // (B, K)
      for (int i = start; i < end; i++) {
        rewards[i] = ClassifierInference.probabilities(logits, i - start, k)[classIndex];
      }
    }
    return rewards;
  }

  private synchronized Tokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = Tokenizer.fromBytes(tokenizerJson);
    }
    return tokenizer;
  }

  /** Releases the classifier's broadcast weights, if it has any. */
  public void destroy() {
    classifier.destroy();
  }

  /** The name it was given: {@link Rewards#parse}'s spec, which names the classifier's folder and the class. */
  @Override
  public String describe() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
