package io.spindle.nn;

import io.spindle.autograd.Variable;
import io.spindle.tensor.Tensor;

/**
 * What an {@link EncoderDecoder} reuses between decoding steps of one batch of sources: per decoder layer the
 * cross-attention keys and values of the encoder output (computed once, when the cache is made) and the
 * self-attention keys and values of the target positions decoded so far (grown by every step).
 *
 * <p>Order of use: {@link EncoderDecoder#newCache} after {@link EncoderDecoder#encode}, then
 * {@link EncoderDecoder#decodeStep} with the {@code <bos>} column, then once per new token; {@link #length()} is the
 * number of target positions cached, which is also the position of the next one. Beam search reorders the rows
 * between steps with {@link #selectRowsInPlace}. Inference only; not thread-safe.
 */
public final class DecoderCache {
  private final Layer[] layers;
  private boolean[][] sourcePadding;
  private int batch;
  private int length;

  DecoderCache(Layer[] layers, boolean[][] sourcePadding, int batch) {
    this.layers = layers;
    this.sourcePadding = sourcePadding;
    this.batch = batch;
  }

  /** Cached target positions. */
  public int length() {
    return length;
  }

  /** Rows (sequences or beams) in the cache. */
  public int batch() {
    return batch;
  }

  /**
   * Rebuilds every cached tensor from the given rows: new row {@code i} is old row {@code rows[i]} (rows may repeat
   * or be dropped, as when beams are reordered, duplicated or pruned).
   */
  public void selectRowsInPlace(int[] rows) {
    for (int r : rows) {
      if (r < 0 || r >= batch) {
        throw new IllegalArgumentException("DecoderCache.selectRowsInPlace: row " + r + " outside [0, " + batch + ")");
      }
    }
    boolean[][] padding = new boolean[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      padding[i] = sourcePadding[rows[i]];
    }
    for (Layer layer : layers) {
      layer.select(rows, batch);
    }
    sourcePadding = padding;
    batch = rows.length;
  }

  Layer layer(int i) {
    return layers[i];
  }

  boolean[][] sourcePadding() {
    return sourcePadding;
  }

  /** Records that a step added {@code time} positions (called once per step, after every layer). */
  void advance(int time) {
    length += time;
  }

  /** One decoder layer's cached tensors. */
  static final class Layer implements SelfAttention.Cache {
    private Variable crossKeys; // (B, NH, S, HS)
    private Variable crossValues; // (B, NH, S, HS)
    private Tensor keys; // (B, NH, L, HS), null while L = 0
    private Tensor values; // (B, NH, L, HS), null while L = 0

    Layer(Variable[] crossKeysValues) {
      this.crossKeys = crossKeysValues[0];
      this.crossValues = crossKeysValues[1];
    }

    /** The cross-attention keys and values, as {@link CrossAttention#keysValues} returned them. */
    Variable[] crossKeysValues() {
      return new Variable[] {crossKeys, crossValues};
    }

    /** Stores new keys (B, NH, T, HS) after the cached ones; returns all keys so far, (B, NH, L + T, HS). */
    @Override
    public Tensor appendKeys(Tensor k) {
      keys = append(keys, k);
      return keys;
    }

    @Override
    public Tensor appendValues(Tensor v) {
      values = append(values, v);
      return values;
    }

    private static Tensor append(Tensor old, Tensor fresh) {
      if (old == null) {
        return fresh.copy();
      }
      int bh = fresh.dim(0) * fresh.dim(1);
      int hs = fresh.dim(3);
      int l = old.dim(2);
      int t = fresh.dim(2);
      Tensor all = Tensor.zeros(fresh.dim(0), fresh.dim(1), l + t, hs); // (B, NH, L + T, HS)
      for (int i = 0; i < bh; i++) {
        all.buffer().put(all.offset() + i * (l + t) * hs, old.buffer(), old.offset() + i * l * hs, l * hs);
        all.buffer().put(all.offset() + (i * (l + t) + l) * hs, fresh.buffer(), fresh.offset() + i * t * hs, t * hs);
      }
      return all;
    }

    private void select(int[] rows, int batch) {
      crossKeys = Variable.constant(gather(crossKeys.value(), rows, batch));
      crossValues = Variable.constant(gather(crossValues.value(), rows, batch));
      keys = keys == null ? null : gather(keys, rows, batch);
      values = values == null ? null : gather(values, rows, batch);
    }

    /** Rows of the leading dimension: out[i] = x[rows[i]]. */
    private static Tensor gather(Tensor x, int[] rows, int batch) {
      int[] shape = x.shape();
      int row = x.size() / batch;
      shape[0] = rows.length;
      Tensor out = Tensor.zeros(shape); // (rows, ...)
      for (int i = 0; i < rows.length; i++) {
        out.buffer().put(out.offset() + i * row, x.buffer(), x.offset() + rows[i] * row, row);
      }
      return out;
    }
  }
}
