package io.spindle.nn;

import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The attention probabilities of one stack of attention layers in one inference pass: per layer a (B, NH, T, S)
 * tensor whose entry (b, h, i, j) is the weight that query position i of batch row b gives key position j in head h.
 * Over the keys a query may see, its row sums to 1 (up to float rounding); keys hidden from it by the causal mask
 * (later positions) or the padding mask get exactly 0.
 *
 * <p>Made by {@link Gpt#attention}, {@link EncoderClassifier#attention} and {@link EncoderDecoder#attention}.
 *
 * @param layers one (B, NH, T, S) tensor per layer, first layer first
 */
public record AttentionMaps(List<Tensor> layers) {
  public AttentionMaps {
    layers = List.copyOf(layers);
    for (int l = 0; l < layers.size(); l++) {
      if (layers.get(l).rank() != 4) {
        throw new IllegalArgumentException("attention maps: layer " + l + " is " + layers.get(l)
            + ", not (B, NH, T, S)");
      }
    }
  }

  /**
   * The maps of {@code layers} layers out of what an {@code AttentionRecorder} received in one pass: entries
   * {@code first}, {@code first + stride}, ... (a decoder layer records its self-attention, then its cross-attention).
   */
  static AttentionMaps recorded(String model, List<Tensor> recorded, int first, int stride, int layers) {
    if (recorded.size() != stride * layers) {
      throw new IllegalStateException(model + ": " + recorded.size() + " attention ops ran, expected "
          + stride * layers);
    }
    List<Tensor> picked = new ArrayList<>(layers);
    for (int l = 0; l < layers; l++) {
      picked.add(recorded.get(first + l * stride));
    }
    return new AttentionMaps(picked);
  }

  public int numLayers() {
    return layers.size();
  }

  /** The (B, NH, T, S) probabilities of layer {@code layer}. */
  public Tensor layer(int layer) {
    return layers.get(layer);
  }

  /** Head {@code head} of batch row {@code row} in layer {@code layer}: a (T, S) matrix, [query][key]. */
  public float[][] matrix(int layer, int row, int head) {
    Tensor p = layers.get(layer); // (B, NH, T, S)
    check(p, row, head);
    int t = p.dim(2);
    int s = p.dim(3);
    int base = (row * p.dim(1) + head) * t * s;
    float[][] m = new float[t][s];
    for (int i = 0; i < t; i++) {
      for (int j = 0; j < s; j++) {
        m[i][j] = p.get(base + i * s + j);
      }
    }
    return m;
  }

  /** Batch row {@code row} of layer {@code layer} averaged over its heads: a (T, S) matrix, [query][key]. */
  public float[][] meanOverHeads(int layer, int row) {
    int heads = layers.get(layer).dim(1);
    float[][] mean = matrix(layer, row, 0);
    for (int h = 1; h < heads; h++) {
      float[][] m = matrix(layer, row, h);
      for (int i = 0; i < mean.length; i++) {
        for (int j = 0; j < mean[i].length; j++) {
          mean[i][j] += m[i][j];
        }
      }
    }
    for (float[] r : mean) {
      for (int j = 0; j < r.length; j++) {
        r[j] /= heads;
      }
    }
    return mean;
  }

  private static void check(Tensor p, int row, int head) {
    if (row < 0 || row >= p.dim(0) || head < 0 || head >= p.dim(1)) {
      throw new IllegalArgumentException("attention maps: no batch row " + row + ", head " + head + " in " + p
          + " (B, NH, T, S)");
    }
  }
}
