package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.AttentionRecorder;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Parameters;
import io.spindle.data.PaddedBatch;
import io.spindle.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attention probabilities of the three model families: rows sum to 1 over the attended positions, masked
 * positions (causal, padding) get exactly 0, the GPT's first layer equals a plain-loop recomputation from its
 * weights, and asking for them changes nothing else.
 */
class AttentionMapsTest {
  private final Random rnd = new Random(3);

  /** Every parameter N(0, 0.5): attention far from uniform, so wrong probabilities cannot pass for right ones. */
  private void randomise(Parameters p) {
    Tensor all = p.values();
    for (int i = 0; i < all.size(); i++) {
      all.set(i, (float) (0.5 * rnd.nextGaussian()));
    }
  }

  private int[] ids(int n, int vocab) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextInt(vocab);
    }
    return ids;
  }

  /** Key j is masked for query i of batch row b. */
  @FunctionalInterface
  interface Mask {
    boolean masked(int b, int i, int j);
  }

  /** Rows sum to 1 over the visible keys; masked keys are exactly 0. */
  private static void assertDistributions(AttentionMaps maps, int layers, int[] shape, Mask mask) {
    assertEquals(layers, maps.numLayers());
    for (int l = 0; l < layers; l++) {
      Tensor p = maps.layer(l);
      assertArrayEquals(shape, p.shape(), "layer " + l);
      for (int b = 0; b < shape[0]; b++) {
        for (int h = 0; h < shape[1]; h++) {
          float[][] m = maps.matrix(l, b, h);
          for (int i = 0; i < shape[2]; i++) {
            double sum = 0;
            for (int j = 0; j < shape[3]; j++) {
              if (mask.masked(b, i, j)) {
                assertEquals(0f, m[i][j], "layer " + l + ", row " + b + ", head " + h + ": masked key " + j
                    + " of query " + i);
              } else {
                assertTrue(m[i][j] >= 0f);
              }
              sum += m[i][j];
            }
            assertEquals(1.0, sum, 1e-5, "layer " + l + ", row " + b + ", head " + h + ", query " + i);
          }
        }
      }
    }
  }

  @Test
  void gptMapsAreCausalDistributions() {
    GptConfig config = new GptConfig(13, 8, 3, 2, 8, 0.1, true);
    Gpt model = Gpt.create(config, 1);
    randomise(model.parameters());
    int[] ids = ids(2 * 6, 13);
    AttentionMaps maps = model.attention(ids, 2, 6);
    assertDistributions(maps, 3, new int[] {2, 2, 6, 6}, (b, i, j) -> j > i);
    // head means are distributions too
    float[][] mean = maps.meanOverHeads(1, 1);
    double sum = 0;
    for (float x : mean[5]) {
      sum += x;
    }
    assertEquals(1.0, sum, 1e-5);
  }

  @Test
  void gptFirstLayerMatchesAPlainRecomputation() {
    int v = 11;
    int t = 5;
    int c = 8;
    int nh = 2;
    int hs = c / nh;
    Gpt model = Gpt.create(new GptConfig(v, 8, 2, nh, c, 0, true), 2);
    Parameters p = model.parameters();
    randomise(p);
    int[] ids = ids(t, v);
    float[][] wte = rows(p.get("transformer.wte.weight").value(), v, c);
    float[][] wpe = rows(p.get("transformer.wpe.weight").value(), 8, c);
    float[] g = p.get("transformer.h.0.ln_1.weight").value().toArray();
    float[] beta = p.get("transformer.h.0.ln_1.bias").value().toArray();
    float[][] w = rows(p.get("transformer.h.0.attn.c_attn.weight").value(), 3 * c, c); // [out][in]
    float[] bias = p.get("transformer.h.0.attn.c_attn.bias").value().toArray();
    double[][] qkv = new double[t][3 * c];
    for (int i = 0; i < t; i++) {
      double[] x = new double[c];
      double mean = 0;
      for (int d = 0; d < c; d++) {
        x[d] = wte[ids[i]][d] + wpe[i][d];
        mean += x[d] / c;
      }
      double var = 0;
      for (int d = 0; d < c; d++) {
        var += (x[d] - mean) * (x[d] - mean) / c;
      }
      for (int d = 0; d < c; d++) {
        x[d] = (x[d] - mean) / Math.sqrt(var + GptConfig.LAYER_NORM_EPS) * g[d] + beta[d]; // ln_1
      }
      for (int o = 0; o < 3 * c; o++) {
        double sum = bias[o];
        for (int d = 0; d < c; d++) {
          sum += w[o][d] * x[d];
        }
        qkv[i][o] = sum; // c_attn
      }
    }
    AttentionMaps maps = model.attention(ids, 1, t);
    float largest = 0;
    for (int h = 0; h < nh; h++) {
      float[][] m = maps.matrix(0, 0, h);
      for (int i = 0; i < t; i++) {
        double[] e = new double[i + 1];
        double total = 0;
        for (int j = 0; j <= i; j++) {
          double dot = 0;
          for (int d = 0; d < hs; d++) {
            dot += qkv[i][h * hs + d] * qkv[j][c + h * hs + d];
          }
          e[j] = Math.exp(dot / Math.sqrt(hs));
          total += e[j];
        }
        for (int j = 0; j <= i; j++) {
          assertEquals(e[j] / total, m[i][j], 1e-5, "head " + h + ", query " + i + ", key " + j);
          largest = i > 0 ? Math.max(largest, m[i][j]) : largest;
        }
      }
    }
    assertTrue(largest > 0.8, "the weights make some query attend sharply: " + largest);
  }

  @Test
  void recordingChangesNoLogit() {
    Gpt model = Gpt.create(new GptConfig(13, 8, 2, 2, 8, 0, true), 4);
    int[] ids = ids(2 * 7, 13);
    float[] plain = model.logits(Graph.inference(), ids, 2, 7, false, 0L).value().toArray();
    float[] recorded = model.logits(Graph.inference(new AttentionRecorder()), ids, 2, 7, false, 0L).value()
        .toArray();
    assertArrayEquals(plain, recorded);
  }

  @Test
  void classifierMapsHidePaddedKeys() {
    EncoderClassifier model = EncoderClassifier.create(EncoderConfig.of(12, 8, 2, 2, 8, 3), 5);
    randomise(model.parameters());
    PaddedBatch batch = PaddedBatch.pad(List.of(ids(5, 12), ids(2, 12), ids(3, 12)), 0, 8);
    AttentionMaps maps = model.attention(batch);
    assertDistributions(maps, 2, new int[] {3, 2, 5, 5}, (b, i, j) -> batch.padding()[b][j]);
  }

  @Test
  void encoderDecoderMapsOfAllThreeKinds() {
    EncoderDecoderConfig config = EncoderDecoderConfig.of(11, 9, 8, 8, 2, 2, 8).withDropout(0).withLayers(2, 3);
    EncoderDecoder model = EncoderDecoder.create(config, 6);
    randomise(model.parameters());
    PaddedBatch source = PaddedBatch.pad(List.of(ids(4, 11), ids(2, 11)), 0, 8);
    int[] target = ids(2 * 3, 9);
    EncoderDecoderAttention a = model.attention(source, target, 3);
    assertDistributions(a.encoderSelf(), 2, new int[] {2, 2, 4, 4}, (b, i, j) -> source.padding()[b][j]);
    assertDistributions(a.decoderSelf(), 3, new int[] {2, 2, 3, 3}, (b, i, j) -> j > i);
    assertDistributions(a.cross(), 3, new int[] {2, 2, 3, 4}, (b, i, j) -> source.padding()[b][j]);
  }

  private static float[][] rows(Tensor t, int n, int m) {
    float[][] r = new float[n][m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        r[i][j] = t.get(i * m + j);
      }
    }
    return r;
  }
}
