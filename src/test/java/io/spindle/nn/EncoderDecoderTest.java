package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.data.Batch;
import io.spindle.data.CharTokenizer;
import io.spindle.data.PaddedBatch;
import io.spindle.data.TokenizerOptions;
import io.spindle.data.TranslationBatch;
import io.spindle.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderDecoderTest {
  /** Source side: 4 specials and a to g (11 tokens). */
  private static final CharTokenizer SOURCE = CharTokenizer.learn(List.of("abcdefg"), TokenizerOptions.defaults());
  /** Target side: 4 specials and v to z (9 tokens). */
  private static final CharTokenizer TARGET = CharTokenizer.learn(List.of("vwxyz"), TokenizerOptions.defaults());
  private static final EncoderDecoderConfig TINY = EncoderDecoderConfig.of(11, 9, 8, 8, 2, 2, 8).withDropout(0);

  private static int[] ids(Random rnd, int n, int from, int to) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = from + rnd.nextInt(to - from);
    }
    return ids;
  }

  /** Three pairs of different lengths, so both sides have padding. */
  private static TranslationBatch batch(Random rnd) {
    List<int[]> sources = List.of(ids(rnd, 4, 4, 11), ids(rnd, 2, 4, 11), ids(rnd, 5, 4, 11));
    List<int[]> targets = List.of(ids(rnd, 2, 4, 9), ids(rnd, 4, 4, 9), ids(rnd, 1, 4, 9));
    return TranslationBatch.of(sources, targets, SOURCE, TARGET, 8, 8);
  }

  /** The same pairs with {@code extraSource} and {@code extraTarget} more padded positions. */
  private static TranslationBatch padMore(TranslationBatch b, int extraSource, int extraTarget) {
    List<int[]> sources = new ArrayList<>();
    List<int[]> inputs = new ArrayList<>();
    int time = b.decoderInput().time();
    int newTime = time + extraTarget;
    int[] targets = new int[b.batch() * newTime];
    Arrays.fill(targets, Batch.IGNORE);
    for (int r = 0; r < b.batch(); r++) {
      int s = b.source().time();
      sources.add(Arrays.copyOfRange(b.source().ids(), r * s, r * s + b.source().lengths()[r]));
      inputs.add(Arrays.copyOfRange(b.decoderInput().ids(), r * time, r * time + b.decoderInput().lengths()[r]));
      System.arraycopy(b.decoderTargets(), r * time, targets, r * newTime, time);
    }
    return new TranslationBatch(PaddedBatch.padTo(sources, 0, b.source().time() + extraSource),
        PaddedBatch.padTo(inputs, 0, newTime), targets);
  }

  @Test
  void parameterNamesFollowTheDocumentedScheme() {
    EncoderDecoderConfig separate = EncoderDecoderConfig.of(11, 9, 8, 8, 1, 2, 8).withBias(false)
        .withNormPlacement(NormPlacement.PRE).withEmbeddings(false, false);
    Parameters p = EncoderDecoder.create(separate, 1).parameters();
    assertEquals(List.of("encoder.wte.weight",
        "encoder.h.0.ln_1.weight", "encoder.h.0.attn.c_attn.weight", "encoder.h.0.attn.c_proj.weight",
        "encoder.h.0.ln_2.weight", "encoder.h.0.mlp.c_fc.weight", "encoder.h.0.mlp.c_proj.weight",
        "encoder.ln_f.weight", "decoder.wte.weight",
        "decoder.h.0.ln_1.weight", "decoder.h.0.attn.c_attn.weight", "decoder.h.0.attn.c_proj.weight",
        "decoder.h.0.ln_2.weight", "decoder.h.0.cross_attn.c_q.weight", "decoder.h.0.cross_attn.c_kv.weight",
        "decoder.h.0.cross_attn.c_proj.weight", "decoder.h.0.ln_3.weight", "decoder.h.0.mlp.c_fc.weight",
        "decoder.h.0.mlp.c_proj.weight", "decoder.ln_f.weight", "lm_head.weight"), p.names());
    assertTrue(p.get("encoder.wte.weight").value().hasShape(11, 8));
    assertTrue(p.get("decoder.h.0.cross_attn.c_q.weight").value().hasShape(8, 8));
    assertTrue(p.get("decoder.h.0.cross_attn.c_kv.weight").value().hasShape(16, 8));
    assertTrue(p.get("lm_head.weight").value().hasShape(9, 8));
    EncoderDecoderConfig paper = EncoderDecoderConfig.of(9, 9, 8, 8, 1, 2, 8).withEmbeddings(true, true);
    List<String> names = EncoderDecoder.create(paper, 1).parameters().names();
    assertEquals("shared.weight", names.get(0));
    assertTrue(names.contains("decoder.h.0.ln_3.bias") && names.contains("decoder.h.0.cross_attn.c_kv.bias"));
    for (String absent : List.of("encoder.wte.weight", "decoder.wte.weight", "lm_head.weight", "encoder.ln_f.weight",
        "decoder.ln_f.weight")) {
      assertFalse(names.contains(absent), absent);
    }
  }

  @Test
  void badConfigsAreRejectedWithClearMessages() {
    assertConfig(() -> EncoderDecoderConfig.of(11, 9, 8, 8, 1, 2, 8).withEmbeddings(true, true),
        "shared embeddings need equal vocabularies, got source_vocab_size 11 and target_vocab_size 9");
    assertConfig(() -> EncoderDecoderConfig.of(9, 9, 8, 8, 1, 3, 10), "n_embd (10) must be divisible by n_head (3)");
    assertConfig(() -> EncoderDecoderConfig.of(9, 9, 8, 8, 1, 1, 7), "n_embd must be even");
    assertConfig(() -> TINY.withLabelSmoothing(1.5), "label_smoothing must be in [0, 1]");
    assertConfig(() -> TINY.withDropout(-0.1), "dropout must be in [0, 1)");
    assertConfig(() -> TINY.withActivation(null), "activation must be set");
    assertConfig(() -> TINY.withLayers(1, 0), "n_decoder_layer must be positive");
    assertConfig(() -> EncoderDecoderConfig.of(9, 9, 0, 8, 1, 2, 8), "max_source_length must be positive");
  }

  private static void assertConfig(Runnable r, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().startsWith("encoder-decoder config: ") && e.getMessage().contains(part),
        e.getMessage());
  }

  @Test
  void badInputsAreRejected() {
    EncoderDecoder model = EncoderDecoder.create(TINY, 1);
    PaddedBatch longSource = PaddedBatch.padTo(List.of(new int[] {4}), 0, 9);
    assertMessage(() -> model.encode(Graph.inference(), longSource, false, 0), "source length 9 exceeds");
    EncoderDecoder.Memory memory = model.encode(Graph.inference(), PaddedBatch.pad(List.of(new int[] {4}), 0, 8),
        false, 0);
    assertMessage(() -> model.decode(Graph.inference(), memory, new int[9], 9, false, 0),
        "9 decoder positions exceed max_target_length 8");
    assertMessage(() -> model.decode(Graph.inference(), memory, new int[4], 3, false, 0),
        "4 target ids for batch 1 x time 3");
    DecoderCache cache = model.newCache(memory);
    assertMessage(() -> model.decodeStep(Graph.training(), cache, new int[] {2}, 1), "inference only");
    assertMessage(() -> cache.selectRowsInPlace(new int[] {1}), "row 1 outside [0, 1)");
  }

  private static void assertMessage(Runnable r, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void sameSeedSameWeights() {
    assertArrayEquals(EncoderDecoder.create(TINY, 3).parameters().values().toArray(),
        EncoderDecoder.create(TINY, 3).parameters().values().toArray());
  }

  /**
   * Pre-LN with GELU, separate embeddings, an untied output, dropout 0.1 (fixed seed) and label smoothing; two
   * decoder layers read the one memory.
   */
  @Test
  void gradientMatchesFiniteDifferencesPreLn() {
    EncoderDecoderConfig config = TINY.withLayers(1, 2).withNormPlacement(NormPlacement.PRE).withDropout(0.1)
        .withActivation(EncoderDecoderConfig.Activation.GELU).withEmbeddings(false, false);
    EncoderDecoder model = EncoderDecoder.create(config, 11);
    Random rnd = new Random(12);
    TranslationBatch batch = batch(rnd);
    WholeModelGradCheck.check(model.parameters(), g -> model.loss(g, batch, true, 5), rnd, 3);
  }

  /** The paper's post-LN with ReLU, one table shared by source, target and output, label smoothing 0.1. */
  @Test
  void gradientMatchesFiniteDifferencesPostLn() {
    EncoderDecoderConfig config = EncoderDecoderConfig.of(11, 11, 8, 8, 2, 2, 8).withLayers(2, 1).withDropout(0)
        .withEmbeddings(true, true);
    EncoderDecoder model = EncoderDecoder.create(config, 13);
    Random rnd = new Random(14);
    TranslationBatch batch = batch(rnd);
    WholeModelGradCheck.check(model.parameters(), g -> model.loss(g, batch, false, 0), rnd, 3);
  }

  /** Extra padding on either side leaves the loss unchanged; the summed loss splits into its rows. */
  @Test
  void paddingDoesNotChangeTheLoss() {
    for (NormPlacement placement : NormPlacement.values()) {
      EncoderDecoder model = EncoderDecoder.create(TINY.withNormPlacement(placement), 15);
      TranslationBatch tight = batch(new Random(16));
      float loss = model.loss(Graph.inference(), tight, false, 0).value().get(0);
      assertEquals(loss, model.loss(Graph.inference(), padMore(tight, 3, 0), false, 0).value().get(0), 1e-5);
      assertEquals(loss, model.loss(Graph.inference(), padMore(tight, 0, 3), false, 0).value().get(0), 1e-5);
      assertEquals(loss, model.loss(Graph.inference(), padMore(tight, 2, 1), false, 0).value().get(0), 1e-5);
      double rows = 0;
      for (int r = 0; r < 3; r++) {
        TranslationBatch one = TranslationBatch.of(
            List.of(Arrays.copyOf(row(tight.source(), r), tight.source().lengths()[r])),
            List.of(Arrays.copyOfRange(row(tight.decoderInput(), r), 1, tight.decoderInput().lengths()[r])),
            SOURCE, TARGET, 8, 8);
        rows += model.loss(Graph.inference(), one, false, 0, Reduction.SUM, 0.1f).value().get(0);
      }
      assertEquals(rows, model.loss(Graph.inference(), tight, false, 0, Reduction.SUM, 0.1f).value().get(0), 1e-4);
    }
  }

  private static int[] row(PaddedBatch b, int r) {
    return Arrays.copyOfRange(b.ids(), r * b.time(), (r + 1) * b.time());
  }

  /** Decoding step by step with the cache (and after reordering its rows) gives the full pass's logits. */
  @Test
  void cachedStepsMatchTheFullDecoder() {
    for (NormPlacement placement : NormPlacement.values()) {
      EncoderDecoder model = EncoderDecoder.create(TINY.withNormPlacement(placement), 17);
      TranslationBatch batch = batch(new Random(18));
      Graph g = Graph.inference();
      EncoderDecoder.Memory memory = model.encode(g, batch.source(), false, 0);
      PaddedBatch input = batch.decoderInput();
      int time = input.time();
      Tensor full = model.decode(g, memory, input.ids(), time, false, 0).value(); // (3, T, V)
      DecoderCache cache = model.newCache(memory);
      int[] order = {2, 0, 1, 1};
      for (int t = 0; t < time; t++) {
        if (t == 2) {
          cache.selectRowsInPlace(order);
        }
        int[] rows = t < 2 ? new int[] {0, 1, 2} : order;
        int[] column = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
          column[i] = input.id(rows[i], t);
        }
        Tensor step = model.decodeStep(g, cache, column, 1).value(); // (rows, 1, V)
        for (int i = 0; i < rows.length; i++) {
          for (int v = 0; v < 9; v++) {
            assertEquals(full.get((rows[i] * time + t) * 9 + v), step.get(i * 9 + v), 1e-5,
                placement + " row " + rows[i] + " position " + t);
          }
        }
      }
      assertEquals(time, cache.length());
      assertEquals(4, cache.batch());
    }
  }

  @Test
  void saveLoadGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
    EncoderDecoderConfig config = TINY.withLabelSmoothing(0.2).withDropout(0.1)
        .withActivation(EncoderDecoderConfig.Activation.GELU).withEmbeddings(false, false);
    EncoderDecoder model = EncoderDecoder.create(config, 19);
    Path folder = dir.resolve("m");
    ModelFolder.save(EncoderDecoderFormat.INSTANCE, new ModelFolder.Contents<>(model, SOURCE, TARGET), folder);
    assertTrue(Files.isRegularFile(folder.resolve("target_tokenizer.json")));
    assertTrue(Files.readString(folder.resolve("config.json")).contains("\"model_type\" : \"encoder-decoder\""));
    ModelFolder.Contents<EncoderDecoder> loaded = ModelFolder.load(EncoderDecoderFormat.INSTANCE, folder);
    assertEquals(config, loaded.model().config());
    assertEquals(SOURCE, loaded.tokenizer());
    assertEquals(TARGET, loaded.targetTokenizer());
    TranslationBatch batch = batch(new Random(20));
    assertArrayEquals(model.logits(Graph.inference(), batch, true, 3).value().toArray(),
        loaded.model().logits(Graph.inference(), batch, true, 3).value().toArray());
    int[] source = SOURCE.encode("cafe");
    assertArrayEquals(Translator.of(model, TARGET).beamSearch(source, 3, 0.6, 8),
        Translator.of(loaded.model(), loaded.targetTokenizer()).beamSearch(source, 3, 0.6, 8));
  }

  @Test
  void oneTokenizerForBothSides(@TempDir Path dir) throws Exception {
    EncoderDecoderConfig config = EncoderDecoderConfig.of(11, 11, 8, 8, 1, 2, 8).withEmbeddings(true, true);
    EncoderDecoder model = EncoderDecoder.create(config, 21);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("target_tokenizer.json"), "stale");
    ModelFolder.save(EncoderDecoderFormat.INSTANCE, ModelFolder.Contents.of(model, SOURCE), dir);
    assertFalse(Files.exists(dir.resolve("target_tokenizer.json")));
    ModelFolder.Contents<EncoderDecoder> loaded = ModelFolder.load(EncoderDecoderFormat.INSTANCE, dir);
    assertEquals(SOURCE, loaded.targetTokenizer());
    assertArrayEquals(model.parameters().values().toArray(), loaded.model().parameters().values().toArray());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelFolder.load(EncoderClassifierFormat.INSTANCE, dir));
    assertTrue(e.getMessage().contains("model_type is 'encoder-decoder', expected 'encoder-classifier'"),
        e.getMessage());
  }
}
