package io.spindle.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.BadInputException;
import io.spindle.data.CharTokenizer;
import io.spindle.data.Tokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFormat;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.ModelFolder;
import io.spindle.spark.ClassifierInference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardsTest {
  @TempDir
  Path dir;

  @Test
  void matchFractionCountsCharactersInsideMatches() throws Exception {
    Reward vowels = Rewards.parse("vowels", null);
    assertEquals(2.0 / 5, vowels.score("ignored", "hello"));
    assertEquals(0.0, vowels.score("aaa", ""));
    assertEquals(1.0, vowels.score("", "Aeu"));
    assertEquals(4.0 / 6, Rewards.parse("match:ab", null).score("", "abxabb"), "matches of two characters");
    assertEquals(2.0 / 3, Rewards.parse("match:[äö]", null).score("", "äöx"), "code points, not chars");
    assertEquals(1.0 / 3, Rewards.parse("match:\uD83D\uDE00", null).score("", "\uD83D\uDE00ab"),
        "a character outside the BMP counts once");
  }

  @Test
  void lengthBandFallsLinearlyOutsideTheBand() throws Exception {
    Reward band = Rewards.parse("length:10-20", null);
    assertEquals(1.0, band.score("", "x".repeat(10)));
    assertEquals(1.0, band.score("", "x".repeat(20)));
    assertEquals(0.5, band.score("", "x".repeat(5)), "5 short of a band 10 wide");
    assertEquals(0.9, band.score("", "x".repeat(21)), 1e-12);
    assertEquals(0.0, band.score("", "x".repeat(60)));
  }

  @Test
  void badSpecsAreNamed() {
    for (String spec : new String[] {"vowel", "length:3", "length:5-2", "length:a-b", "match:[", "classifier:x",
        "classifier:" + dir + ":one", "classifier:" + dir.resolve("none") + ":0"}) {
      BadInputException e = assertThrows(BadInputException.class, () -> Rewards.parse(spec, null), spec);
      assertTrue(e.getMessage().contains(spec.length() > 12 ? spec.substring(0, 12) : spec), e.getMessage());
    }
  }

  /** The classifier reward is the classifier's softmax probability of the class, for the text prompt + completion. */
  @Test
  void classifierRewardIsTheProbabilityOfTheClass() throws Exception {
    Tokenizer tok = CharTokenizer.learn(List.of("hallo hello world welt"), TokenizerOptions.defaults());
    EncoderConfig config = EncoderConfig.of(tok.vocabSize(), 32, 1, 2, 8, 3);
    EncoderClassifier model = EncoderClassifier.create(config, 4);
    ModelFolder.save(EncoderClassifierFormat.INSTANCE, ModelFolder.Contents.of(model, tok), dir.resolve("c"));
    Reward reward = Rewards.parse("classifier:" + dir.resolve("c") + ":2", null);
    ClassifierInference direct = ClassifierInference.local(model);
    float[] logits = direct.logits(List.of(tok.encode("hello world"), tok.encode("wel?")));
    double[] expected = {ClassifierInference.probabilities(logits, 0, 3)[2],
        ClassifierInference.probabilities(logits, 1, 3)[2]};
    assertArrayEquals(expected, reward.scoreAll(List.of("hello", "w"), List.of(" world", "el?")), 1e-12);
    // alone rather than in a batch padded to another text's length: the same function, rounded differently in float
    assertEquals(expected[0], reward.score("hello ", "world"), 1e-6);
    assertThrows(BadInputException.class, () -> Rewards.parse("classifier:" + dir.resolve("c") + ":3", null));
    assertArrayEquals(expected, copy(reward).scoreAll(List.of("hello", "w"), List.of(" world", "el?")), 1e-12,
        "the same after Java serialization, as in a Spark closure");
  }

  private static Reward copy(Reward r) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(r);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (Reward) in.readObject();
    }
  }
}
