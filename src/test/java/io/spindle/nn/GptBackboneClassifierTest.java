package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.MatMul;
import io.spindle.autograd.Parameters;
import io.spindle.data.PaddedBatch;
import io.spindle.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The classifier's GPT backbone: the same function as {@link Gpt}'s body (checked against the GPT itself, the
 * reference), its new pieces (causal attention with key padding, last-token pooling) against finite differences,
 * and the copy of a language model's weights.
 */
class GptBackboneClassifierTest {
  private static final GptConfig LM = new GptConfig(13, 10, 2, 2, 8, 0.0, true);

  private static List<int[]> sequences(Random rnd, int... lengths) {
    List<int[]> out = new ArrayList<>();
    for (int n : lengths) {
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = 1 + rnd.nextInt(LM.vocabSize() - 1);
      }
      out.add(ids);
    }
    return out;
  }

  @Test
  void parametersAreTheGptsPlusAHead() {
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 3, EncoderConfig.Pooling.LAST, 0.0);
    List<String> names = EncoderClassifier.create(config, 1).parameters().names();
    List<String> expected = new ArrayList<>(Gpt.create(LM, 1).parameters().names());
    expected.add("classifier.weight");
    expected.add("classifier.bias");
    assertEquals(expected, names);
  }

  /**
   * Reference: the GPT's own forward. The classifier's hidden states times the tied embedding must be the
   * language model's next-token logits, at every position, for a batch without padding.
   */
  @Test
  void backboneComputesTheLanguageModelsFunction() {
    Gpt lm = Gpt.create(LM, 4);
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 2, EncoderConfig.Pooling.MEAN, 0.0);
    EncoderClassifier classifier = EncoderClassifier.fromLanguageModel(lm, config, 9);
    List<int[]> seqs = sequences(new Random(1), 7, 7);
    PaddedBatch batch = PaddedBatch.pad(seqs, 0, 10); // (2, 7)
    Graph g = Graph.inference();
    var states = classifier.encode(g, batch, false, 0); // (B, T, C)
    float[] ours = MatMul.matmul(g, states, lm.parameters().get("transformer.wte.weight"), false, true).value()
        .toArray(); // (B, T, V)
    float[] theirs = lm.logits(Graph.inference(), batch.ids(), 2, 7, false, 0).value().toArray(); // (B, T, V)
    // the same math in another order of float operations (split vs packed attention): rounding only
    assertArrayEquals(theirs, ours, 1e-5f);
    // and the language model is untouched, the head new
    assertNotEquals(0f, classifier.parameters().get("classifier.weight").value().get(0));
  }

  /** Causal attention: padding after a sequence changes none of its states, whatever the pooling. */
  @Test
  void paddingAndBatchmatesDoNotChangeTheLogits() {
    for (EncoderConfig.Pooling pooling : EncoderConfig.Pooling.values()) {
      EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 3, pooling, 0.0);
      EncoderClassifier model = EncoderClassifier.create(config, 8);
      List<int[]> seqs = sequences(new Random(2), 6, 2, 4);
      Tensor loose = model.logits(Graph.inference(), PaddedBatch.padTo(seqs, 0, 9), false, 0).value(); // (3, K)
      for (int b = 0; b < 3; b++) {
        Tensor alone = model.logits(Graph.inference(), PaddedBatch.pad(List.of(seqs.get(b)), 0, 10), false, 0)
            .value();
        for (int k = 0; k < 3; k++) {
          assertEquals(alone.get(k), loose.get(b * 3 + k), 1e-5f, pooling + ", sequence " + b);
        }
      }
    }
  }

  /** Last-token pooling reads the last real position: under causal attention, a changed earlier token moves it. */
  @Test
  void lastPoolingReadsTheWholeSequence() {
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 2, EncoderConfig.Pooling.LAST, 0.0);
    EncoderClassifier model = EncoderClassifier.create(config, 3);
    float[] a = model.logits(Graph.inference(), PaddedBatch.pad(List.of(new int[] {3, 4, 5}), 0, 10), false, 0)
        .value().toArray();
    float[] b = model.logits(Graph.inference(), PaddedBatch.pad(List.of(new int[] {7, 4, 5}), 0, 10), false, 0)
        .value().toArray();
    assertNotEquals(a[0], b[0]);
    // FIRST pooling under causal attention sees only the first token: the same two sequences from token 3 on agree
    EncoderClassifier first = EncoderClassifier.create(config.withPooling(EncoderConfig.Pooling.FIRST), 3);
    float[] c = first.logits(Graph.inference(), PaddedBatch.pad(List.of(new int[] {3, 4, 5}), 0, 10), false, 0)
        .value().toArray();
    float[] d = first.logits(Graph.inference(), PaddedBatch.pad(List.of(new int[] {3, 9, 1}), 0, 10), false, 0)
        .value().toArray();
    assertArrayEquals(c, d, 1e-6f);
  }

  @Test
  void gradientMatchesFiniteDifferencesLastPoolingWithPaddingAndDropout() {
    gradientCheck(EncoderConfig.Pooling.LAST, 31);
  }

  @Test
  void gradientMatchesFiniteDifferencesMeanPooling() {
    gradientCheck(EncoderConfig.Pooling.MEAN, 32);
  }

  private static void gradientCheck(EncoderConfig.Pooling pooling, long seed) {
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 3, pooling, 0.1);
    EncoderClassifier model = EncoderClassifier.create(config, seed);
    Random rnd = new Random(seed);
    PaddedBatch batch = PaddedBatch.padTo(sequences(rnd, 5, 2, 4), 0, 6);
    int[] labels = {2, 0, 1};
    WholeModelGradCheck.check(model.parameters(), g -> model.loss(g, batch, labels, true, 77), rnd, 3);
  }

  @Test
  void fromLanguageModelCopiesTheBodyAndTheFirstPositions() {
    Gpt lm = Gpt.create(LM, 5);
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 6, 4, EncoderConfig.Pooling.LAST, 0.1);
    EncoderClassifier model = EncoderClassifier.fromLanguageModel(lm, config, 2);
    Parameters p = model.parameters();
    for (String name : lm.parameters().names()) {
      float[] theirs = lm.parameters().get(name).value().toArray();
      float[] ours = p.get(name).value().toArray();
      int n = name.endsWith("wpe.weight") ? 6 * LM.embedDim() : theirs.length;
      assertEquals(n, ours.length, name);
      for (int i = 0; i < n; i++) {
        assertEquals(theirs[i], ours[i], 0f, name);
      }
    }
    assertTrue(p.get("classifier.weight").value().hasShape(4, 8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EncoderClassifier.gptConfig(LM, 11, 2, EncoderConfig.Pooling.LAST, 0.0));
    assertTrue(e.getMessage().contains("max_length 11 exceeds the language model's block_size 10"), e.getMessage());
    EncoderConfig other = EncoderClassifier.gptConfig(new GptConfig(13, 10, 1, 2, 8, 0, true), 6, 4,
        EncoderConfig.Pooling.LAST, 0.0);
    assertThrows(IllegalArgumentException.class, () -> EncoderClassifier.fromLanguageModel(lm, other, 2));
  }

  @Test
  void configRoundTripsThroughTheFormatAndOldConfigsAreEncoders() throws Exception {
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 3, EncoderConfig.Pooling.LAST, 0.1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EncoderClassifierFormat.INSTANCE.writeConfig(config, out);
    String json = out.toString(StandardCharsets.UTF_8);
    assertTrue(json.contains("\"backbone\" : \"gpt\"") && json.contains("\"pooling\" : \"last\""), json);
    assertEquals(config, EncoderClassifierFormat.INSTANCE.readConfig(new ByteArrayInputStream(out.toByteArray()),
        "test"));
    String old = json.replace(",\n  \"backbone\" : \"gpt\"", "").replace("\"norm_placement\" : \"pre\"",
        "\"norm_placement\" : \"pre\"");
    assertTrue(!old.contains("backbone"), old);
    assertEquals(config.withBackbone(EncoderConfig.Backbone.ENCODER), EncoderClassifierFormat.INSTANCE.readConfig(
        new ByteArrayInputStream(old.getBytes(StandardCharsets.UTF_8)), "test"));
  }

  @Test
  void gptBackboneNeedsLearnedPositionsAndPreLn() {
    EncoderConfig config = EncoderClassifier.gptConfig(LM, 10, 3, EncoderConfig.Pooling.LAST, 0.0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config.withNormPlacement(NormPlacement.POST));
    assertTrue(e.getMessage().contains("the gpt backbone has learned positions and pre-LN blocks"), e.getMessage());
  }
}
