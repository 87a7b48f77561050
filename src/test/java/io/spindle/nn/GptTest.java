package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.autograd.Reduction;
import io.spindle.autograd.Variable;
import io.spindle.data.CharTokenizer;
import io.spindle.data.TokenizerOptions;
import io.spindle.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptTest {
  private static final GptConfig TINY = new GptConfig(11, 8, 2, 2, 8, 0.0, true);

  private static int[] ids(Random rnd, int n, int v) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextInt(v);
    }
    return ids;
  }

  @Test
  void parameterNamesAndShapesAreNanoGpts() {
    Parameters p = Gpt.create(new GptConfig(65, 16, 2, 2, 8, 0.0, false), 1).parameters();
    assertEquals(List.of("transformer.wte.weight", "transformer.wpe.weight",
        "transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight",
        "transformer.h.0.ln_2.weight", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight",
        "transformer.h.1.ln_1.weight", "transformer.h.1.attn.c_attn.weight", "transformer.h.1.attn.c_proj.weight",
        "transformer.h.1.ln_2.weight", "transformer.h.1.mlp.c_fc.weight", "transformer.h.1.mlp.c_proj.weight",
        "transformer.ln_f.weight"), p.names());
    assertTrue(p.get("transformer.h.0.attn.c_attn.weight").value().hasShape(24, 8));
    assertTrue(p.get("transformer.h.0.mlp.c_proj.weight").value().hasShape(8, 32));
    assertTrue(p.get("transformer.wpe.weight").value().hasShape(16, 8));
  }

  @Test
  void configRejectsHeadsThatDoNotDivideWidth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GptConfig(10, 8, 1, 3, 8, 0, true));
    assertTrue(e.getMessage().contains("divisible"), e.getMessage());
  }

  @Test
  void sameSeedSameWeightsAndLossNearLogV() {
    Gpt a = Gpt.create(TINY, 5);
    Gpt b = Gpt.create(TINY, 5);
    assertArrayEquals(a.parameters().values().toArray(), b.parameters().values().toArray());
    Random rnd = new Random(3);
    int[] x = ids(rnd, 16, 11);
    int[] y = ids(rnd, 16, 11);
    float loss = a.loss(Graph.inference(), x, y, 2, 8, false, 0, Reduction.MEAN).value().get(0);
    // small init: logits near 0, so the loss is near ln(V)
    assertEquals(Math.log(11), loss, 0.05);
  }

  /**
   * Whole-model gradient check: central differences of the mean loss with respect to a sample of entries of every
   * parameter. Tolerance as in GradCheck: float32 loss of O(2) has rounding of about 2e-7, divided by 2h = 2e-2.
   */
  @Test
  void wholeModelGradientMatchesFiniteDifferences() {
    Gpt model = Gpt.create(new GptConfig(11, 8, 2, 2, 8, 0.0, true), 9);
    Random rnd = new Random(4);
    int[] x = ids(rnd, 12, 11);
    int[] y = ids(rnd, 12, 11);
    Parameters p = model.parameters();
    // larger weights than the 0.02 init so every path carries a visible gradient
    for (int i = 0; i < p.count(); i++) {
      p.values().set(i, p.values().get(i) + (rnd.nextFloat() - 0.5f) * 0.5f);
    }
    Graph g = Graph.training();
    p.zeroGrad();
    g.backward(model.loss(g, x, y, 2, 6, false, 0, Reduction.MEAN));
    double h = 1e-2;
    for (String name : p.names()) {
      Tensor w = p.get(name).value();
      Tensor dw = p.get(name).grad();
      for (int probe = 0; probe < 4; probe++) {
        int j = rnd.nextInt(w.size());
        float saved = w.get(j);
        w.set(j, (float) (saved + h));
        double plus = model.loss(Graph.inference(), x, y, 2, 6, false, 0, Reduction.MEAN).value().get(0);
        w.set(j, (float) (saved - h));
        double minus = model.loss(Graph.inference(), x, y, 2, 6, false, 0, Reduction.MEAN).value().get(0);
        w.set(j, saved);
        double numeric = (plus - minus) / (2 * h);
        assertEquals(numeric, dw.get(j), 2e-3 + 1e-2 * Math.abs(numeric), name + "[" + j + "]");
      }
    }
  }

  @Test
  void kvCacheGivesTheSameLogitsAsFullRecomputation() {
    Gpt model = Gpt.create(TINY, 2);
    int[] seq = ids(new Random(5), 8, 11);
    Tensor full = model.logits(Graph.inference(), seq, 1, 8, false, 0).value(); // (1, 8, V)
    KvCache cache = model.newCache(1);
    Tensor prefix = model.logits(Graph.inference(), java.util.Arrays.copyOf(seq, 5), 1, 5, cache).value();
    for (int i = 0; i < 5 * 11; i++) {
      assertEquals(full.get(i), prefix.get(i), 1e-5);
    }
    for (int t = 5; t < 8; t++) {
      Tensor one = model.logits(Graph.inference(), new int[] {seq[t]}, 1, 1, cache).value(); // (1, 1, V)
      for (int v = 0; v < 11; v++) {
        assertEquals(full.get(t * 11 + v), one.get(v), 1e-5, "position " + t);
      }
    }
    assertEquals(8, cache.length());
  }

  @Test
  void sequenceLongerThanBlockSizeIsRejected() {
    Gpt model = Gpt.create(TINY, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.logits(Graph.inference(), new int[9], 1, 9, false, 0));
    assertTrue(e.getMessage().contains("block_size"), e.getMessage());
  }

  @Test
  void saveLoadGivesIdenticalLogits(@TempDir Path dir) throws Exception {
    CharTokenizer tok = CharTokenizer.learn(List.of("hello world"), TokenizerOptions.defaults());
    GptConfig config = new GptConfig(tok.vocabSize(), 8, 2, 2, 8, 0.1, false);
    Gpt model = Gpt.create(config, 3);
    ModelFolder.save(GptFormat.INSTANCE, ModelFolder.Contents.of(model, tok), dir.resolve("m"));
    ModelFolder.Contents<Gpt> loaded = ModelFolder.load(GptFormat.INSTANCE, dir.resolve("m"));
    assertEquals(config, loaded.model().config());
    int[] x = tok.encode("hello wo");
    Variable a = model.logits(Graph.inference(), x, 1, 8, false, 0);
    Variable b = loaded.model().logits(Graph.inference(), x, 1, 8, false, 0);
    assertArrayEquals(a.value().toArray(), b.value().toArray());
    assertArrayEquals(tok.encode("world"), loaded.tokenizer().encode("world"));
  }

  @Test
  void samplerIsReproducibleAndGreedyMatchesArgmax() {
    Gpt model = Gpt.create(TINY, 4);
    Sampler s = new Sampler(model);
    int[] prompt = {1, 2, 3};
    assertArrayEquals(s.generate(prompt, 20, 1.0, 5, 7), s.generate(prompt, 20, 1.0, 5, 7));
    int[] greedy = s.generate(prompt, 3, 0, 0, 0);
    Tensor logits = model.logits(Graph.inference(), prompt, 1, 3, false, 0).value();
    int best = 0;
    for (int v = 1; v < 11; v++) {
      if (logits.get(2 * 11 + v) > logits.get(2 * 11 + best)) {
        best = v;
      }
    }
    assertEquals(best, greedy[0]);
  }
}
