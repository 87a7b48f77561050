package io.spindle.nn;

import io.spindle.tensor.Tensor;

/**
 * Keys and values of the positions a GPT has already processed, per layer, so generating a token costs one position's
 * work instead of the whole prefix's.
 *
 * <p>Capacity is the model's block size. Order of use: {@link Gpt#logits(io.spindle.autograd.Graph, int[], int, int,
 * KvCache)} with the prompt (prefill), then once per new token; {@link #length()} is the number of cached positions,
 * which is also the position index of the next token. Inference only.
 */
public final class KvCache {
  private final Layer[] layers;
  private final int capacity;
  private int length;

  KvCache(int numLayers, int batch, int heads, int capacity, int headSize) {
    this.layers = new Layer[numLayers];
    for (int i = 0; i < numLayers; i++) {
      layers[i] = new Layer(batch, heads, capacity, headSize);
    }
    this.capacity = capacity;
  }

  /** Cached positions. */
  public int length() {
    return length;
  }

  public int capacity() {
    return capacity;
  }

  /** Forgets every cached position. */
  public void clear() {
    length = 0;
  }

  Layer layer(int i) {
    return layers[i];
  }

  /** Records that a forward pass added {@code time} positions (called once per pass, after every layer). */
  void advance(int time) {
    length += time;
  }

  /** One layer's keys and values, (B, NH, capacity, HS) each. */
  final class Layer implements SelfAttention.Cache {
    private final Tensor keys;
    private final Tensor values;

    private Layer(int batch, int heads, int cap, int headSize) {
      keys = Tensor.zeros(batch, heads, cap, headSize);
      values = Tensor.zeros(batch, heads, cap, headSize);
    }

    @Override
    public Tensor appendKeys(Tensor k) {
      return append(keys, k);
    }

    @Override
    public Tensor appendValues(Tensor v) {
      return append(values, v);
    }

    private Tensor append(Tensor store, Tensor fresh) {
      int b = fresh.dim(0);
      int nh = fresh.dim(1);
      int t = fresh.dim(2);
      int hs = fresh.dim(3);
      int s = length + t;
      if (s > capacity) {
        throw new IllegalStateException("KV cache full: " + length + " cached + " + t + " new > " + capacity);
      }
      Tensor all = Tensor.zeros(b, nh, s, hs); // (B, NH, S, HS)
      float[] rows = new float[s * hs]; // one (batch, head)'s positions, copied in bulk
      for (int bh = 0; bh < b * nh; bh++) {
        int base = store.offset() + bh * capacity * hs;
        fresh.buffer().get(fresh.offset() + bh * t * hs, rows, 0, t * hs);
        store.buffer().put(base + length * hs, rows, 0, t * hs);
        store.buffer().get(base, rows, 0, s * hs);
        all.buffer().put(all.offset() + bh * s * hs, rows, 0, s * hs);
      }
      return all;
    }
  }
}
