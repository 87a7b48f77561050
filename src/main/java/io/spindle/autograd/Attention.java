package io.spindle.autograd;

import io.spindle.tensor.Blas;
import io.spindle.tensor.Parallel;
import io.spindle.tensor.Scratch;
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
 * the graph records. An inference graph with an {@link AttentionRecorder} is handed each call's P, to look at.
 */
public final class Attention {
  /**
   * Query rows per block under the causal mask. A block's rows see at most the keys up to its last row, so each
   * block's gemms stop there: with T = 256 the score and value products shrink to 5/8 of the full square (the masked
   * upper triangle is mostly skipped) while each gemm stays large enough for BLAS to run at speed.
   */
  static final int CAUSAL_ROWS = 64;

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
    // every (b, h) matrix is contiguous: rows of HS floats, heads one after the other
    Layout l = new Layout(bn, nh, t, s, hs, nh * t * hs, t * hs, nh * s * hs, s * hs, 0, 0, hs, nh * t * hs, t * hs,
        hs);
    Tensor out = g.empty(bn, nh, t, hs); // (B, NH, T, HS)
    return attend(g, q, k, v, out, l, causal, keyPadding, dropout, seed);
  }

  /**
   * Multi-head self-attention read straight from a fused projection: {@code qkv} (B, T, 3C) holds q, k and v side by
   * side along its last dimension ({@code c_attn}'s output in nanoGPT), each split into {@code heads} heads of
   * HS = C / NH; the result (B, T, C) has the heads' outputs side by side, ready for the output projection. The same
   * as splitting qkv into three, moving heads forward ((B, T, C) to (B, NH, T, HS)), calling
   * {@link #scaledDotProduct(Graph, Variable, Variable, Variable, boolean, boolean[][], float, long)} with S = T and
   * moving heads back, which the tests use as the oracle, but without those six copies forward and six backward:
   * BLAS reads each head in place with a row stride of 3C and writes its output with a stride of C.
   *
   * <p>Masks, dropout (P of shape (B, NH, T, T), the same element numbering), zero rows and the backward are those
   * of {@code scaledDotProduct}; the gradient of qkv gets dq, dk and dv in their three column ranges.
   */
  public static Variable selfAttention(Graph g, Variable qkv, int heads, boolean causal, boolean[][] keyPadding,
      float dropout, long seed) {
    int[] xs = qkv.shape();
    if (xs.length != 3 || heads <= 0 || xs[2] % (3 * heads) != 0) {
      throw new IllegalArgumentException("selfAttention: qkv must be (B, T, 3C) with C divisible by heads = "
          + heads + ", got " + Shape.toString(xs));
    }
    int bn = xs[0];
    int t = xs[1];
    int c = xs[2] / 3;
    int hs = c / heads;
    int[] headShape = {bn, heads, t, hs}; // (B, NH, T, HS) as scaledDotProduct would see q, k and v
    validate(headShape, headShape, headShape, keyPadding, dropout);
    // head h of batch row b: q at b*T*3C + h*HS, k C further, v 2C further, rows 3C apart; out rows C apart
    Layout l = new Layout(bn, heads, t, t, hs, t * 3 * c, hs, t * 3 * c, hs, c, 2 * c, 3 * c, t * c, hs, c);
    Tensor out = g.empty(bn, t, c); // (B, T, C)
    return attend(g, qkv, qkv, qkv, out, l, causal, keyPadding, dropout, seed);
  }

  /**
   * Where each (batch, head) matrix lives: the operand of (b, h) starts at {@code b * batch + h * head} (plus
   * {@code kShift} / {@code vShift} for k and v) and its rows are {@code ld} floats apart.
   */
  private record Layout(int bn, int nh, int t, int s, int hs, int qBatch, int qHead, int kBatch, int kHead,
      int kShift, int vShift, int ldIn, int outBatch, int outHead, int ldOut) {
    int q(int b, int h) {
      return b * qBatch + h * qHead;
    }

    int k(int b, int h) {
      return b * kBatch + h * kHead + kShift;
    }

    int v(int b, int h) {
      return b * kBatch + h * kHead + vShift;
    }

    int out(int b, int h) {
      return b * outBatch + h * outHead;
    }
  }

  /**
   * The shared forward and backward of both entry points, over any {@link Layout}. The (batch, head) pairs are
   * independent, so with {@link Parallel} op threads they are split between threads, each with its own (T, S) work
   * matrices and BLAS running single-threaded inside (two levels of threads would only compete for the cores).
   */
  private static Variable attend(Graph g, Variable q, Variable k, Variable v, Tensor out, Layout l, boolean causal,
      boolean[][] keyPadding, float dropout, long seed) {
    int bn = l.bn();
    int nh = l.nh();
    int t = l.t();
    int s = l.s();
    int hs = l.hs();
    AttentionRecorder recorder = g.attentionRecorder(); // null on every training graph
    if (t == 0 || s == 0 || hs == 0) { // nothing to multiply: every output row is zero, no gradient flows
      out.fillInPlace(0f);
      if (recorder != null) {
        recorder.record(g.zeros(bn, nh, t, s));
      }
      return g.record(out, dout -> { }, q, k, v);
    }
    boolean save = g.needsGrad(q, k, v);
    boolean whole = save || recorder != null;
    int chunks = Parallel.chunks(bn * nh, 1);
    // P: (B, NH, T, S) kept for backward or the recorder, else one (T, S) work matrix per thread
    Tensor probs = whole ? g.empty(bn, nh, t, s) : g.empty(chunks, t, s);
    Tensor dropped = dropout > 0 ? g.empty(chunks, t, s) : null; // dropout(P) of one (b, h), per thread
    Heads heads = new Heads(q.value(), k.value(), v.value(), out, l, causal, keyPadding, dropout, seed);
    onHeads(bn * nh, (chunk, bh) -> heads.forward(bh, probs, whole ? bh * t * s : chunk * t * s, dropped,
        chunk * t * s));
    if (recorder != null) {
      recorder.record(probs);
    }
    return g.record(out, dout -> {
      Tensor dq = g.gradOf(q);
      Tensor dk = g.gradOf(k);
      Tensor dv = g.gradOf(v);
      Tensor pd = dropout > 0 ? g.empty(chunks, t, s) : null; // dropout(P) of one (b, h), recomputed, per thread
      Tensor ds = dq != null || dk != null ? g.empty(chunks, t, s) : null; // dP, then dS in place, per thread
      onHeads(bn * nh, (chunk, bh) -> heads.backward(bh, dout, probs, pd, ds, chunk * t * s, dq, dk, dv));
    }, q, k, v);
  }

  /** One (batch, head) pair's work, given the chunk (thread share) it runs in. */
  @FunctionalInterface
  private interface HeadWork {
    void run(int chunk, int bh);
  }

  /** Runs {@code work} for every pair [0, pairs), in parallel chunks when op threads are on (BLAS at 1 inside). */
  private static void onHeads(int pairs, HeadWork work) {
    if (Parallel.chunks(pairs, 1) == 1) {
      for (int bh = 0; bh < pairs; bh++) {
        work.run(0, bh);
      }
      return;
    }
    Blas blas = Blas.get();
    int blasThreads = blas.threads();
    blas.setThreads(1);
    try {
      Parallel.forRange(pairs, 1, (chunk, from, to) -> {
        for (int bh = from; bh < to; bh++) {
          work.run(chunk, bh);
        }
      });
    } finally {
      blas.setThreads(blasThreads);
    }
  }

  /** The operands and settings of one attention call, and the per-(batch, head) forward and backward. */
  private static final class Heads {
    private final Tensor q;
    private final Tensor k;
    private final Tensor v;
    private final Tensor out;
    private final Layout l;
    private final boolean causal;
    private final boolean[][] keyPadding;
    private final float dropout;
    private final long seed;
    private final float scale;
    private final int block;
    private final int t; // the layout's T, S, HS and input row stride, read once
    private final int s;
    private final int hs;
    private final int ld;

    Heads(Tensor q, Tensor k, Tensor v, Tensor out, Layout l, boolean causal, boolean[][] keyPadding, float dropout,
        long seed) {
      this.q = q;
      this.k = k;
      this.v = v;
      this.out = out;
      this.l = l;
      this.causal = causal;
      this.keyPadding = keyPadding;
      this.dropout = dropout;
      this.seed = seed;
      this.scale = (float) (1 / Math.sqrt(l.hs()));
      this.block = causal ? CAUSAL_ROWS : l.t(); // query rows per block
      this.t = l.t();
      this.s = l.s();
      this.hs = l.hs();
      this.ld = l.ldIn();
    }

    /** P of pair bh into {@code probs[po..]}, dropout(P) into {@code dropped[wo..]}, and its output rows. */
    void forward(int bh, Tensor probs, int po, Tensor dropped, int wo) {
      int b = bh / l.nh();
      int h = bh % l.nh();
      for (int r0 = 0; r0 < t; r0 += block) {
        int rows = Math.min(block, t - r0);
        int e = visibleKeys(causal, r0 + rows, t, s); // keys any row of the block may see: [0, e)
        int oo = l.out(b, h) + r0 * l.ldOut();
        if (e == 0) {
          zeroRows(probs, po + r0 * s, rows, s, s);
          zeroRows(out, oo, rows, hs, l.ldOut());
          continue;
        }
        // scores = q k^T * scale: (rows, e), then P = softmax over the visible keys, in place
        MatMul.gemm(false, true, rows, e, hs, scale, q, l.q(b, h) + r0 * ld, ld, k, l.k(b, h), ld, 0f, probs,
            po + r0 * s, s);
        softmaxRows(probs, po + r0 * s, r0, rows, t, s, causal, keyPadding == null ? null : keyPadding[b]);
        if (dropped != null) {
          dropout(probs, po + r0 * s, dropped, wo + r0 * s, rows * s, seed, (long) bh * t * s + r0 * s, dropout);
        }
        // out = dropout(P) v: (rows, HS)
        MatMul.gemm(false, false, rows, hs, e, 1f, dropped != null ? dropped : probs,
            (dropped != null ? wo : po) + r0 * s, s, v, l.v(b, h), ld, 0f, out, oo, l.ldOut());
      }
    }

    /** Adds pair bh's share of dq, dk, dv (any may be null), with (T, S) work matrices at {@code wo}. */
    void backward(int bh, Tensor dout, Tensor probs, Tensor pd, Tensor ds, int wo, Tensor dq, Tensor dk,
        Tensor dv) {
      int b = bh / l.nh();
      int h = bh % l.nh();
      int po = bh * t * s;
      if (pd != null) {
        dropout(probs, po, pd, wo, t * s, seed, po, dropout);
      }
      Tensor pp = pd != null ? pd : probs; // P' = dropout(P)
      int ppo = pd != null ? wo : po;
      for (int r0 = 0; r0 < t; r0 += block) {
        int rows = Math.min(block, t - r0);
        int e = visibleKeys(causal, r0 + rows, t, s);
        if (e == 0) {
          continue; // these queries saw no key: no gradient flows through them
        }
        int oo = l.out(b, h) + r0 * l.ldOut();
        int qo = l.q(b, h) + r0 * ld;
        int so = wo + r0 * s;
        if (dv != null) {
          // out = P' v  =>  dv += P'^T dout
          MatMul.gemm(true, false, e, hs, rows, 1f, pp, ppo + r0 * s, s, dout, oo, l.ldOut(), 1f, dv, l.v(b, h), ld);
        }
        if (ds == null) {
          continue;
        }
        // dP' = dout v^T; P' = P * keep / (1 - p)  =>  dP = dP' * keep / (1 - p)
        MatMul.gemm(false, true, rows, e, hs, 1f, dout, oo, l.ldOut(), v, l.v(b, h), ld, 0f, ds, so, s);
        if (pd != null) {
          dropout(ds, so, ds, so, rows * s, seed, po + r0 * s, dropout);
        }
        softmaxBackward(probs, po + r0 * s, ds, so, rows, e, s);
        // scores = q k^T * scale  =>  dq += dS k * scale, dk += dS^T q * scale
        if (dq != null) {
          MatMul.gemm(false, false, rows, hs, e, scale, ds, so, s, k, l.k(b, h), ld, 1f, dq, qo, ld);
        }
        if (dk != null) {
          MatMul.gemm(true, false, e, hs, rows, scale, ds, so, s, q, qo, ld, 1f, dk, l.k(b, h), ld);
        }
      }
    }
  }

  /** Keys [0, e) that query rows [0, rowEnd) may see: all S, or under the causal rule those of the last row. */
  private static int visibleKeys(boolean causal, int rowEnd, int t, int s) {
    return causal ? Math.max(0, Math.min(s, rowEnd + (s - t))) : s;
  }

  /** Sets {@code rows} rows of {@code n} floats, {@code ld} apart from {@code off}, to zero. */
  private static void zeroRows(Tensor x, int off, int rows, int n, int ld) {
    for (int r = 0; r < rows; r++) {
      x.buffer().put(x.offset() + off + r * ld, Scratch.zeros(n), 0, n);
    }
  }

  /**
   * Row-wise softmax of query rows [first, first + rows) of a (T, S) score matrix, stored from {@code p[off..]}, in
   * place, over the keys each query may see; keys it may not see get probability 0 (whatever the row held there),
   * and a query that sees none gets an all-zero row. Each row is worked on in scratch arrays, its exponentials taken
   * by {@link Exp} in double.
   */
  private static void softmaxRows(Tensor p, int off, int first, int rows, int t, int s, boolean causal,
      boolean[] padded) {
    float[] row = Scratch.floats(0, s);
    double[] e = Scratch.doubles(0, rows * s); // every row's shifted scores, back to back, for one Exp call
    int base = 0;
    for (int i = first; i < first + rows; i++) {
      int end = causal ? Math.max(0, Math.min(s, i + (s - t) + 1)) : s; // causal rule: key j < end
      p.buffer().get(p.offset() + off + (i - first) * s, row, 0, end);
      float max = Float.NEGATIVE_INFINITY;
      boolean any = end > 0;
      if (padded == null) {
        for (int j = 0; j < end; j++) {
          max = Math.max(max, row[j]);
        }
      } else {
        any = false;
        for (int j = 0; j < end; j++) {
          max = padded[j] ? max : Math.max(max, row[j]);
          any |= !padded[j];
        }
      }
      if (!any) {
        max = 0; // no visible key: the row is zeroed below, whatever it holds
      }
      for (int j = 0; j < end; j++) {
        row[j] -= max;
      }
      for (int j = 0; j < end; j++) {
        e[base + j] = row[j];
      }
      base += end;
    }
    Exp.expInPlace(e, base);
    base = 0;
    for (int i = first; i < first + rows; i++) {
      int end = causal ? Math.max(0, Math.min(s, i + (s - t) + 1)) : s;
      if (padded != null) {
        for (int j = 0; j < end; j++) {
          e[base + j] = padded[j] ? 0 : e[base + j];
        }
      }
      double sum = LayerNorm.sum(e, base, end);
      double inv = sum > 0 ? 1 / sum : 0; // a query that sees no key gets an all-zero row
      for (int j = base; j < base + end; j++) {
        e[j] *= inv;
      }
      for (int j = 0; j < end; j++) {
        row[j] = (float) e[base + j];
      }
      Arrays.fill(row, end, s, 0f);
      p.buffer().put(p.offset() + off + (i - first) * s, row, 0, s);
      base += end;
    }
  }

  /**
   * Softmax backward for {@code rows} rows, in place on {@code ds}: holding dP on entry, dS on exit, where
   * {@code dS = P * (dP - rowsum(dP * P))} (the Jacobian of {@code P = softmax(S)} applied to dP), over the first
   * {@code e} columns (no key beyond them is visible to these rows). Masked entries have P = 0, so their dS is 0.
   */
  private static void softmaxBackward(Tensor p, int off, Tensor ds, int dsOff, int rows, int e, int s) {
    float[] pr = Scratch.floats(0, e);
    float[] dr = Scratch.floats(1, e);
    for (int i = 0; i < rows; i++) {
      p.buffer().get(p.offset() + off + i * s, pr, 0, e);
      ds.buffer().get(ds.offset() + dsOff + i * s, dr, 0, e);
      float dot = (float) LayerNorm.dot(dr, pr, e);
      for (int j = 0; j < e; j++) {
        dr[j] = pr[j] * (dr[j] - dot);
      }
      ds.buffer().put(ds.offset() + dsOff + i * s, dr, 0, e);
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
   * {@code index + 1}-th output of {@link SplitMix64} keyed by {@code mix(seed)}, as a uniform in
   * [0, 1), is at least p. A pure function, so forward and backward agree on every thread and run.
   */
  static boolean keeps(long seed, long index, float p) {
    return SplitMix64.uniform(SplitMix64.mix(seed), index) >= p;
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
