package io.spindle.autograd;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Fused scaled-dot-product attention (Vaswani et al. 2017, eq. 1): {@code softmax(q k^T / sqrt(HS) + mask) v}, with
 * optional causal and key-padding masks and attention dropout, computed one (batch, head) matrix at a time on BLAS.
 *
 * <p>Fusing saves the (B, NH, T, S) score, masked-score and softmax intermediates that the unfused chain (matmul,
 * scale, masked fill, softmax, matmul) would keep: only the probabilities P are saved for backward, and only when
 * the graph records.
 */
public final class Attention {
  private Attention() {}

  /**
   * Attention with no key padding and no dropout; see
   * {@link #scaledDotProduct(Graph, Variable, Variable, Variable, boolean, boolean[][], float, long)}.
   */
  public static Variable scaledDotProduct(Graph g, Variable q, Variable k, Variable v, boolean causal) {
    return scaledDotProduct(g, q, k, v, causal, null, 0f, 0L);
  }

  /**
   * {@code out = dropout(P) v} with {@code P = softmax(q k^T / sqrt(HS))} over the keys each query may see: q is
   * (B, NH, T, HS), k and v are (B, NH, S, HS), out is (B, NH, T, HS).
   *
   * <p>Masks. With {@code causal}, query {@code i} sees key {@code j} iff {@code j <= i + (S - T)}, the end-aligned
   * rule of {@link Mask#causal} (a block of T queries at the end of S keys, as with a KV cache). {@code keyPadding}
   * (nullable) holds B rows of S flags; {@code true} marks a padded key no query of that batch row may see.
   *
   * <p>A query that sees no key at all (every key padded, or T &gt; S under the causal rule) has an all-zero row of
   * P: its output row is zero and no gradient flows through it (its rows of dq are zero, and it adds nothing to dk
   * or dv). Such rows are defined this way rather than as the 0/0 of a softmax over nothing, so they never give NaN.
   *
   * <p>Dropout. With {@code dropout} p in (0, 1) each element of P is kept with probability 1 - p and then scaled by
   * 1 / (1 - p) (inverted dropout). Whether flat element {@code i} of P (B, NH, T, S) is kept is a pure function of
   * {@code (seed, i)} (output {@code i + 1} of a SplitMix64 stream seeded with {@code seed}; see {@code keeps}), so
   * it is the same on every run and thread and backward recomputes it instead of storing a mask. The op applies
   * dropout whenever p &gt; 0; callers pass 0 outside training.
   *
   * <p>Backward, per (b, h), with P' = dropout(P) and scale = 1 / sqrt(HS): {@code dv += P'^T dout};
   * {@code dP = (dout v^T) * keep / (1 - p)}; {@code dS = P * (dP - rowsum(dP * P))} (softmax's Jacobian);
   * {@code dq += dS k * scale}; {@code dk += dS^T q * scale}.
   */
  public static Variable scaledDotProduct(Graph g, Variable q, Variable k, Variable v, boolean causal,
      boolean[][] keyPadding, float dropout, long seed) {
    int[] qs = q.shape();
    int[] ks = k.shape();
    validate(qs, ks, v.shape(), keyPadding, dropout);
    int bn = qs[0];
    int nh = qs[1];
    int t = qs[2];
    int hs = qs[3];
    int s = ks[2];
    float scale = (float) (1 / Math.sqrt(hs));
    boolean none = t == 0 || s == 0 || hs == 0; // nothing to multiply: every output row is zero
    Tensor out = none ? g.zeros(bn, nh, t, hs) : g.empty(bn, nh, t, hs); // (B, NH, T, HS)
    boolean save = g.needsGrad(q, k, v);
    Tensor probs = save ? g.empty(bn, nh, t, s) : g.empty(t, s); // P: (B, NH, T, S) kept, else (T, S) scratch
    Tensor dropped = dropout > 0 ? g.empty(t, s) : null; // dropout(P) of one (b, h): (T, S)
    for (int bh = 0; !none && bh < bn * nh; bh++) {
      int qo = bh * t * hs;
      int ko = bh * s * hs;
      int po = save ? bh * t * s : 0;
      // scores = q k^T * scale: (T, S), then P = softmax over the visible keys, in place
      MatMul.gemm(false, true, t, s, hs, scale, q.value(), qo, k.value(), ko, 0f, probs, po);
      softmaxRows(probs, po, t, s, causal, keyPadding == null ? null : keyPadding[bh / nh]);
      if (dropped != null) {
        dropout(probs, po, dropped, 0, t * s, seed, (long) bh * t * s, dropout);
      }
      // out = dropout(P) v: (T, HS)
      MatMul.gemm(false, false, t, hs, s, 1f, dropped != null ? dropped : probs, dropped != null ? 0 : po,
          v.value(), ko, 0f, out, qo);
    }
    return g.record(out, dout -> {
      if (none) {
        return;
      }
      Tensor dq = g.gradOf(q);
      Tensor dk = g.gradOf(k);
      Tensor dv = g.gradOf(v);
      Tensor pd = dropout > 0 ? g.empty(t, s) : null; // dropout(P) of one (b, h), recomputed: (T, S)
      Tensor ds = dq != null || dk != null ? g.empty(t, s) : null; // dP, then dS in place: (T, S)
      for (int bh = 0; bh < bn * nh; bh++) {
        int qo = bh * t * hs;
        int ko = bh * s * hs;
        int po = bh * t * s;
        if (pd != null) {
          dropout(probs, po, pd, 0, t * s, seed, po, dropout);
        }
        if (dv != null) {
          // out = P' v  =>  dv += P'^T dout, where P' = dropout(P)
          MatMul.gemm(true, false, s, hs, t, 1f, pd != null ? pd : probs, pd != null ? 0 : po, dout, qo, 1f, dv, ko);
        }
        if (ds != null) {
          // dP' = dout v^T; P' = P * keep / (1 - p)  =>  dP = dP' * keep / (1 - p)
          MatMul.gemm(false, true, t, s, hs, 1f, dout, qo, v.value(), ko, 0f, ds, 0);
          if (pd != null) {
            dropout(ds, 0, ds, 0, t * s, seed, po, dropout);
          }
          softmaxBackward(probs, po, ds, t, s);
          // scores = q k^T * scale  =>  dq += dS k * scale, dk += dS^T q * scale
          if (dq != null) {
            MatMul.gemm(false, false, t, hs, s, scale, ds, 0, k.value(), ko, 1f, dq, qo);
          }
          if (dk != null) {
            MatMul.gemm(true, false, s, hs, t, scale, ds, 0, q.value(), qo, 1f, dk, ko);
          }
        }
      }
    }, q, k, v);
  }

  /**
   * Row-wise softmax of the (T, S) scores at {@code p[off..]}, in place, over the keys each query may see; keys it
   * may not see get probability 0, and a query that sees none gets an all-zero row.
   */
  private static void softmaxRows(Tensor p, int off, int t, int s, boolean causal, boolean[] padded) {
    FloatBuffer pb = p.buffer();
    for (int i = 0; i < t; i++) {
      int row = p.offset() + off + i * s;
      int end = causal ? Math.max(0, Math.min(s, i + (s - t) + 1)) : s; // causal rule: key j < end
      float max = Float.NEGATIVE_INFINITY;
      boolean any = false;
      for (int j = 0; j < end; j++) {
        if (padded == null || !padded[j]) {
          max = Math.max(max, pb.get(row + j));
          any = true;
        }
      }
      double sum = 0;
      for (int j = 0; j < s; j++) {
        boolean visible = any && j < end && (padded == null || !padded[j]);
        float e = visible ? (float) Math.exp(pb.get(row + j) - max) : 0f;
        pb.put(row + j, e);
        sum += e;
      }
      if (any) {
        float inv = (float) (1 / sum);
        for (int j = 0; j < end; j++) {
          pb.put(row + j, pb.get(row + j) * inv);
        }
      }
    }
  }

  /**
   * Softmax backward for each row, in place on {@code ds}: holding dP on entry, dS on exit, where
   * {@code dS = P * (dP - rowsum(dP * P))} (the Jacobian of {@code P = softmax(S)} applied to dP). Masked entries
   * have P = 0, so their dS is 0.
   */
  private static void softmaxBackward(Tensor p, int off, Tensor ds, int t, int s) {
    FloatBuffer pb = p.buffer();
    FloatBuffer db = ds.buffer();
    for (int i = 0; i < t; i++) {
      int prow = p.offset() + off + i * s;
      int drow = ds.offset() + i * s;
      double dot = 0;
      for (int j = 0; j < s; j++) {
        dot += (double) db.get(drow + j) * pb.get(prow + j);
      }
      for (int j = 0; j < s; j++) {
        db.put(drow + j, (float) (pb.get(prow + j) * (db.get(drow + j) - dot)));
      }
    }
  }

  /**
   * {@code dst[i] = keeps(seed, base + i, p) ? src[i] / (1 - p) : 0} for {@code i < n}; src and dst may be the
   * same window.
   */
  private static void dropout(Tensor src, int srcOff, Tensor dst, int dstOff, int n, long seed, long base, float p) {
    FloatBuffer sb = src.buffer();
    FloatBuffer db = dst.buffer();
    float inv = 1f / (1f - p);
    for (int i = 0; i < n; i++) {
      float x = sb.get(src.offset() + srcOff + i);
      db.put(dst.offset() + dstOff + i, keeps(seed, base + i, p) ? x * inv : 0f);
    }
  }

  /**
   * Whether attention dropout with probability {@code p} keeps flat element {@code index} of P: the
   * {@code index + 1}-th output of SplitMix64 (Steele, Lea and Flood 2014) seeded with {@code seed}, as a uniform in
   * [0, 1), is at least p. A pure function, so forward and backward agree on every thread and run.
   */
  static boolean keeps(long seed, long index, float p) {
    long z = mix(seed) + (index + 1) * 0x9E3779B97F4A7C15L;
    return (mix(z) >>> 11) * 0x1.0p-53 >= p;
  }

  /** The SplitMix64 output function (a 64-bit finaliser with good avalanche). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static void validate(int[] qs, int[] ks, int[] vs, boolean[][] keyPadding, float dropout) {
    if (qs.length != 4 || ks.length != 4) {
      throw Shape.mismatch("attention", qs, ks, "q must be (B, NH, T, HS) and k (B, NH, S, HS)");
    }
    if (qs[0] != ks[0] || qs[1] != ks[1] || qs[3] != ks[3]) {
      throw Shape.mismatch("attention", qs, ks, "q (B, NH, T, HS) and k (B, NH, S, HS) must agree in B, NH and HS");
    }
    if (!Arrays.equals(ks, vs)) {
      throw Shape.mismatch("attention", ks, vs, "k and v must have the same shape (B, NH, S, HS)");
    }
    if (keyPadding != null) {
      if (keyPadding.length != qs[0]) {
        throw new IllegalArgumentException("attention: keyPadding has " + keyPadding.length + " rows for q "
            + Shape.toString(qs) + " (B = " + qs[0] + ")");
      }
      for (int b = 0; b < keyPadding.length; b++) {
        if (keyPadding[b] == null || keyPadding[b].length != ks[2]) {
          throw new IllegalArgumentException("attention: keyPadding row " + b + " has "
              + (keyPadding[b] == null ? "no" : keyPadding[b].length) + " entries for k " + Shape.toString(ks)
              + " (S = " + ks[2] + ")");
        }
      }
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("attention: dropout must be in [0, 1), got " + dropout);
    }
  }
}
