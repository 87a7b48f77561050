package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.data.CharTokenizer;
import io.spindle.data.PaddedBatch;
import io.spindle.data.TokenizerOptions;
import io.spindle.optim.AdamW;
import io.spindle.optim.GradientClipping;
import io.spindle.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderClassifierTest {
  private static final EncoderConfig TINY = EncoderConfig.of(11, 8, 2, 2, 8, 3);

  private static int[] ids(Random rnd, int n, int from, int to) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = from + rnd.nextInt(to - from);
    }
    return ids;
  }

  /** Three sequences of lengths 5, 2 and 4 over ids [1, 11), padded with 0 to {@code time}. */
  private static List<int[]> sequences(Random rnd) {
    return List.of(ids(rnd, 5, 1, 11), ids(rnd, 2, 1, 11), ids(rnd, 4, 1, 11));
  }

  @Test
  void parameterNamesFollowTheDocumentedScheme() {
    Parameters p = EncoderClassifier.create(EncoderConfig.of(20, 16, 1, 2, 8, 4), 1).parameters();
    assertEquals(List.of("encoder.wte.weight", "encoder.wpe.weight",
        "encoder.h.0.ln_1.weight", "encoder.h.0.ln_1.bias",
        "encoder.h.0.attn.c_attn.weight", "encoder.h.0.attn.c_attn.bias",
        "encoder.h.0.attn.c_proj.weight", "encoder.h.0.attn.c_proj.bias",
        "encoder.h.0.ln_2.weight", "encoder.h.0.ln_2.bias",
        "encoder.h.0.mlp.c_fc.weight", "encoder.h.0.mlp.c_fc.bias",
        "encoder.h.0.mlp.c_proj.weight", "encoder.h.0.mlp.c_proj.bias",
        "encoder.ln_f.weight", "encoder.ln_f.bias", "classifier.weight", "classifier.bias"), p.names());
    assertTrue(p.get("classifier.weight").value().hasShape(4, 8));
    assertTrue(p.get("encoder.h.0.attn.c_attn.weight").value().hasShape(24, 8));
    assertTrue(p.get("encoder.wpe.weight").value().hasShape(16, 8));
    EncoderConfig post = EncoderConfig.of(20, 16, 1, 2, 8, 4).withNormPlacement(NormPlacement.POST)
        .withPositions(EncoderConfig.Positions.SINUSOIDAL).withBias(false);
    List<String> names = EncoderClassifier.create(post, 1).parameters().names();
    assertEquals(List.of("encoder.wte.weight", "encoder.h.0.ln_1.weight", "encoder.h.0.attn.c_attn.weight",
        "encoder.h.0.attn.c_proj.weight", "encoder.h.0.ln_2.weight", "encoder.h.0.mlp.c_fc.weight",
        "encoder.h.0.mlp.c_proj.weight", "classifier.weight"), names);
  }

  @Test
  void badConfigsAreRejectedWithClearMessages() {
    assertMessage(() -> EncoderConfig.of(10, 8, 1, 3, 8, 2), "divisible by n_head");
    assertMessage(() -> EncoderConfig.of(10, 8, 1, 2, 8, 1), "num_classes must be at least 2");
    assertMessage(() -> EncoderConfig.of(0, 8, 1, 2, 8, 2), "vocab_size must be positive");
    assertMessage(() -> EncoderConfig.of(10, 8, 0, 2, 8, 2), "n_layer must be positive");
    assertMessage(() -> EncoderConfig.of(10, 8, 1, 2, 8, 2).withDropout(1.0), "dropout must be in [0, 1)");
    assertMessage(() -> EncoderConfig.of(10, 8, 1, 1, 7, 2).withPositions(EncoderConfig.Positions.SINUSOIDAL),
        "even n_embd");
    assertMessage(() -> EncoderConfig.of(10, 8, 1, 2, 8, 2).withPooling(null), "pooling must be set");
  }

  private static void assertMessage(Runnable r, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().startsWith("encoder config: ") && e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void badInputsAreRejected() {
    EncoderClassifier model = EncoderClassifier.create(TINY, 1);
    PaddedBatch tooLong = PaddedBatch.padTo(List.of(new int[] {1, 2}), 0, 9);
    assertMessage2(() -> model.logits(Graph.inference(), tooLong, false, 0), "exceeds max_length 8");
    PaddedBatch empty = PaddedBatch.padTo(List.of(new int[] {1, 2}, new int[0]), 0, 3);
    assertMessage2(() -> model.logits(Graph.inference(), empty, false, 0), "sequence 1 has no token to pool");
    PaddedBatch ok = PaddedBatch.padTo(List.of(new int[] {1, 2}), 0, 3);
    assertMessage2(() -> model.loss(Graph.inference(), ok, new int[] {0, 1}, false, 0), "2 labels for a batch of 1");
  }

  private static void assertMessage2(Runnable r, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void sameSeedSameWeightsAndLossNearLogK() {
    EncoderClassifier a = EncoderClassifier.create(TINY, 5);
    EncoderClassifier b = EncoderClassifier.create(TINY, 5);
    assertArrayEquals(a.parameters().values().toArray(), b.parameters().values().toArray());
    PaddedBatch batch = PaddedBatch.padTo(sequences(new Random(3)), 0, 6);
    float loss = a.loss(Graph.inference(), batch, new int[] {0, 1, 2}, false, 0).value().get(0);
    assertEquals(Math.log(3), loss, 0.05);
  }

  @Test
  void gradientMatchesFiniteDifferencesPreLn() {
    gradientCheck(TINY.withDropout(0.1), 21);
  }

  @Test
  void gradientMatchesFiniteDifferencesPostLnSinusoidalFirstToken() {
    gradientCheck(TINY.withNormPlacement(NormPlacement.POST).withPositions(EncoderConfig.Positions.SINUSOIDAL)
        .withPooling(EncoderConfig.Pooling.FIRST), 22);
  }

  /** Padded batch with dropout in training mode: the masks are a function of the seed, so the loss is smooth. */
  private static void gradientCheck(EncoderConfig config, long seed) {
    EncoderClassifier model = EncoderClassifier.create(config, seed);
    Random rnd = new Random(seed);
    PaddedBatch batch = PaddedBatch.padTo(sequences(rnd), 0, 6);
    int[] labels = {2, 0, 1};
    WholeModelGradCheck.check(model.parameters(), g -> model.loss(g, batch, labels, true, 77), rnd, 3);
  }

  @Test
  void paddingDoesNotChangeTheLogits() {
    for (EncoderConfig config : List.of(TINY, TINY.withNormPlacement(NormPlacement.POST)
        .withPositions(EncoderConfig.Positions.SINUSOIDAL))) {
      EncoderClassifier model = EncoderClassifier.create(config, 8);
      List<int[]> seqs = sequences(new Random(9));
      Tensor tight = model.logits(Graph.inference(), PaddedBatch.pad(seqs, 0, 8), false, 0).value(); // (3, K)
      Tensor loose = model.logits(Graph.inference(), PaddedBatch.padTo(seqs, 0, 8), false, 0).value();
      assertArrayEquals(tight.toArray(), loose.toArray(), 1e-5f);
      // a sequence alone gives the same logits as inside a padded batch
      for (int b = 0; b < 3; b++) {
        Tensor alone = model.logits(Graph.inference(), PaddedBatch.pad(List.of(seqs.get(b)), 0, 8), false, 0)
            .value();
        for (int k = 0; k < 3; k++) {
          assertEquals(alone.get(k), loose.get(b * 3 + k), 1e-5f, "sequence " + b);
        }
      }
    }
  }

  /**
   * Class 0 draws tokens from [1, 6), class 1 from [6, 11), lengths 2 to 7: a few dozen AdamW steps separate
   * them on held-out sequences.
   */
  @Test
  void learnsToSeparateTwoSyntheticClasses() {
    EncoderClassifier model = EncoderClassifier.create(EncoderConfig.of(11, 8, 1, 2, 16, 2), 3);
    Parameters p = model.parameters();
    AdamW opt = new AdamW(AdamW.Config.defaults(), p);
    Random rnd = new Random(10);
    Graph g = Graph.training();
    float first = 0;
    float last = 0;
    for (int step = 0; step < 40; step++) {
      List<int[]> seqs = new ArrayList<>();
      int[] labels = new int[16];
      for (int b = 0; b < 16; b++) {
        labels[b] = rnd.nextInt(2);
        seqs.add(ids(rnd, 2 + rnd.nextInt(6), labels[b] == 0 ? 1 : 6, labels[b] == 0 ? 6 : 11));
      }
      p.zeroGrad();
      var loss = model.loss(g, PaddedBatch.pad(seqs, 0, 8), labels, true, step);
      g.backward(loss);
      GradientClipping.clipGlobalNorm(p.grads(), 1.0);
      opt.step(p, 1e-2);
      last = loss.value().get(0);
      first = step == 0 ? last : first;
      g.reset();
    }
    assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);
    List<int[]> test = new ArrayList<>();
    int[] expected = new int[100];
    for (int b = 0; b < 100; b++) {
      expected[b] = rnd.nextInt(2);
      test.add(ids(rnd, 2 + rnd.nextInt(6), expected[b] == 0 ? 1 : 6, expected[b] == 0 ? 6 : 11));
    }
    int[] predicted = model.predict(PaddedBatch.pad(test, 0, 8));
    int correct = 0;
    for (int b = 0; b < 100; b++) {
      correct += predicted[b] == expected[b] ? 1 : 0;
    }
    assertTrue(correct >= 98, correct + "/100 correct");
  }

  @Test
  void saveLoadGivesIdenticalLogits(@TempDir Path dir) throws Exception {
    CharTokenizer tok = CharTokenizer.learn(List.of("hello world"), TokenizerOptions.defaults());
    EncoderConfig config = EncoderConfig.of(tok.vocabSize(), 12, 2, 2, 8, 3).withDropout(0.1)
        .withPositions(EncoderConfig.Positions.SINUSOIDAL).withPooling(EncoderConfig.Pooling.FIRST)
        .withNormPlacement(NormPlacement.POST).withBias(false);
    EncoderClassifier model = EncoderClassifier.create(config, 3);
    ModelFolder.save(EncoderClassifierFormat.INSTANCE, ModelFolder.Contents.of(model, tok), dir.resolve("m"));
    assertTrue(Files.readString(dir.resolve("m/config.json")).contains("\"model_type\" : \"encoder-classifier\""));
    ModelFolder.Contents<EncoderClassifier> loaded = ModelFolder.load(EncoderClassifierFormat.INSTANCE,
        dir.resolve("m"));
    assertEquals(config, loaded.model().config());
    assertEquals(model.parameters().names(), loaded.model().parameters().names());
    PaddedBatch batch = PaddedBatch.pad(List.of(tok.encode("hello"), tok.encode("wor")), 0, 12);
    assertArrayEquals(model.logits(Graph.inference(), batch, false, 0).value().toArray(),
        loaded.model().logits(Graph.inference(), batch, false, 0).value().toArray());
    assertEquals(tok, loaded.tokenizer());
  }

  @Test
  void loadRejectsAnotherModelType(@TempDir Path dir) throws Exception {
    CharTokenizer tok = CharTokenizer.learn(List.of("ab"), TokenizerOptions.defaults());
    ModelFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(Gpt.create(new GptConfig(tok.vocabSize(), 4, 1, 1,
        4, 0, true), 1), tok), dir);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFolder.load(EncoderClassifierFormat.INSTANCE, dir));
    assertTrue(e.getMessage().contains("model_type is 'gpt', expected 'encoder-classifier'"), e.getMessage());
  }
}
