package io.spindle.nn;

import io.spindle.autograd.Graph;
import io.spindle.data.PaddedBatch;
import io.spindle.data.Special;
import io.spindle.data.Tokenizer;
import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns sources into target ids with an {@link EncoderDecoder}: greedy decoding and beam search, in no-grad mode.
 * The encoder runs once per source; its cross-attention keys and values and the decoder's self-attention keys and
 * values are cached ({@link DecoderCache}), so each new token costs one position's decoder pass.
 *
 * <p>Decoding starts from {@code <bos>} and stops at {@code <eos>} or after {@code maxLength} tokens
 * ({@code <eos>} counted; at most the config's {@code maxTargetLength}). Results hold the generated ids without
 * {@code <bos>} and {@code <eos>}.
 *
 * <p>Beam search keeps the {@code beamSize} best unfinished hypotheses by total log-probability. Each step it ranks
 * the expansions of all of them, takes the best {@code 2 * beamSize}, finishes those ending in {@code <eos>} that
 * rank among the first {@code beamSize}, and keeps the best {@code beamSize} others. A finished hypothesis Y is
 * scored with GNMT's length penalty (Wu et al. 2016, eq. 14): {@code log P(Y) / lp(Y)},
 * {@code lp(Y) = ((5 + |Y|) / 6)^alpha}, |Y| counting {@code <eos>}; alpha = 0 ranks by log-probability alone, larger
 * alpha favours longer outputs. The search stops when no unfinished hypothesis can still beat the best finished
 * one: since log-probabilities only fall, an unfinished one's best reachable score is
 * {@code log P / lp(maxLength)}. Hypotheses still unfinished at {@code maxLength} are scored as they are. With
 * {@code beamSize} 1 and alpha 0 the result is exactly the greedy one.
 */
public final class Translator {
  private final EncoderDecoder model;
  private final int bos;
  private final int eos;

  public Translator(EncoderDecoder model, int bosId, int eosId) {
    int v = model.config().targetVocabSize();
    if (bosId < 0 || bosId >= v || eosId < 0 || eosId >= v) {
      throw new IllegalArgumentException("translator: bos " + bosId + " and eos " + eosId
          + " must be target ids in [0, " + v + ")");
    }
    this.model = model;
    this.bos = bosId;
    this.eos = eosId;
  }

  /** A translator using the target tokenizer's {@code <bos>} and {@code <eos>}. */
  public static Translator of(EncoderDecoder model, Tokenizer targetTokenizer) {
    int bosId = targetTokenizer.specialId(Special.BOS).orElseThrow(
        () -> new IllegalArgumentException("translator: the target tokenizer has no <bos>"));
    int eosId = targetTokenizer.specialId(Special.EOS).orElseThrow(
        () -> new IllegalArgumentException("translator: the target tokenizer has no <eos>"));
    return new Translator(model, bosId, eosId);
  }

  /** Greedy decoding of one unpadded source. */
  public int[] greedy(int[] source, int maxLength) {
    return greedy(single(source), maxLength)[0];
  }

  /** Greedy decoding of every row of a padded source batch at once: the most likely token at each step. */
  public int[][] greedy(PaddedBatch source, int maxLength) {
    checkMaxLength(maxLength);
    Graph g = Graph.inference();
    DecoderCache cache = model.newCache(model.encode(g, source, false, 0L));
    int batch = source.batch();
    int v = model.config().targetVocabSize();
    int[] next = new int[batch];
    Arrays.fill(next, bos);
    boolean[] done = new boolean[batch];
    List<List<Integer>> out = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      out.add(new ArrayList<>());
    }
    int finished = 0;
    for (int step = 0; step < maxLength && finished < batch; step++) {
      Tensor logits = model.decodeStep(g, cache, next, 1).value(); // (B, 1, V)
      for (int b = 0; b < batch; b++) {
        if (done[b]) {
          next[b] = eos; // any valid id: the row's result is complete
          continue;
        }
        int best = 0;
        for (int j = 1; j < v; j++) {
          if (logits.get(b * v + j) > logits.get(b * v + best)) {
            best = j;
          }
        }
        next[b] = best;
        if (best == eos) {
          done[b] = true;
          finished++;
        } else {
          out.get(b).add(best);
        }
      }
    }
    int[][] result = new int[batch][];
    for (int b = 0; b < batch; b++) {
      result[b] = out.get(b).stream().mapToInt(Integer::intValue).toArray();
    }
    return result;
  }

  /** Beam search over every row of a padded batch, one row at a time (padding removed). */
  public int[][] beamSearch(PaddedBatch source, int beamSize, double lengthPenalty, int maxLength) {
    int[][] result = new int[source.batch()][];
    for (int b = 0; b < source.batch(); b++) {
      int[] ids = new int[source.lengths()[b]];
      for (int t = 0, n = 0; t < source.time(); t++) {
        if (!source.padding()[b][t] && n < ids.length) {
          ids[n++] = source.id(b, t);
        }
      }
      result[b] = beamSearch(ids, beamSize, lengthPenalty, maxLength);
    }
    return result;
  }

  /** Beam search for one unpadded source; {@code lengthPenalty} is GNMT's alpha (>= 0; 0 for none). */
  public int[] beamSearch(int[] source, int beamSize, double lengthPenalty, int maxLength) {
    if (beamSize < 1) {
      throw new IllegalArgumentException("beam search: beam size must be >= 1, got " + beamSize);
    }
    if (!(lengthPenalty >= 0) || Double.isInfinite(lengthPenalty)) {
      throw new IllegalArgumentException("beam search: length penalty alpha must be finite and >= 0, got "
          + lengthPenalty);
    }
    checkMaxLength(maxLength);
    Graph g = Graph.inference();
    DecoderCache cache = model.newCache(model.encode(g, single(source), false, 0L));
    return new BeamSearch(beamSize, lengthPenalty, maxLength, eos, model.config().targetVocabSize())
        .run(ids -> model.decodeStep(g, cache, ids, 1).value(), cache::selectRowsInPlace, bos);
  }

  private void checkMaxLength(int maxLength) {
    int cap = model.config().maxTargetLength();
    if (maxLength < 1 || maxLength > cap) {
      throw new IllegalArgumentException("translator: max length must be in [1, " + cap + "] (max_target_length), "
          + "got " + maxLength);
    }
  }

  private static PaddedBatch single(int[] source) {
    if (source.length == 0) {
      throw new IllegalArgumentException("translator: empty source");
    }
    return new PaddedBatch(source.clone(), new int[] {source.length}, new boolean[1][source.length], 1,
        source.length);
  }
}
