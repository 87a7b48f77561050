package io.spindle.nn;

import io.spindle.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The beam search that {@link Translator} documents, over any step function that maps the last token of each live
 * hypothesis to next-token logits; kept apart from the model so its bookkeeping reads on its own.
 */
final class BeamSearch {
  private final int beamSize;
  private final double alpha;
  private final int maxLength;
  private final int eos;
  private final int vocab;

  BeamSearch(int beamSize, double alpha, int maxLength, int eos, int vocab) {
    this.beamSize = beamSize;
    this.alpha = alpha;
    this.maxLength = maxLength;
    this.eos = eos;
    this.vocab = vocab;
  }

  /** An unfinished hypothesis: its tokens so far (no {@code <bos>}), total log-probability, and its cache row. */
  private record Hypothesis(int[] tokens, double logProb, int row) {}

  /** A scored expansion: live hypothesis {@code row} followed by {@code token}. */
  private record Candidate(int row, int token, double logProb) {}

  /**
   * Runs the search. {@code step} gets the last token of each live hypothesis (L ids, {@code <bos>} first) and
   * returns logits (L, 1, V); {@code select} then gets, for each surviving hypothesis, the row it came from, so the
   * caller can reorder its cache. Returns the best hypothesis' tokens without {@code <eos>}.
   */
  int[] run(Function<int[], Tensor> step, Consumer<int[]> select, int bos) {
    List<Hypothesis> live = List.of(new Hypothesis(new int[0], 0.0, 0));
    int[] last = {bos};
    int[] best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int t = 0; t < maxLength; t++) {
      Tensor logits = step.apply(last); // (L, 1, V)
      List<Hypothesis> next = new ArrayList<>();
      List<Candidate> ranked = topCandidates(live, logits);
      for (int r = 0; r < ranked.size(); r++) {
        Candidate c = ranked.get(r);
        int[] prefix = live.get(c.row()).tokens();
        if (c.token() == eos) {
          double score = c.logProb() / penalty(prefix.length + 1);
          if (r < beamSize && score > bestScore) {
            best = prefix;
            bestScore = score;
          }
        } else if (next.size() < beamSize) {
          int[] tokens = Arrays.copyOf(prefix, prefix.length + 1);
          tokens[prefix.length] = c.token();
          next.add(new Hypothesis(tokens, c.logProb(), c.row()));
        }
      }
      if (t == maxLength - 1 || next.isEmpty()) {
        for (Hypothesis h : next) {
          double score = h.logProb() / penalty(h.tokens().length);
          if (score > bestScore) {
            best = h.tokens();
            bestScore = score;
          }
        }
        break;
      }
      double reachable = Double.NEGATIVE_INFINITY; // log P <= 0 only falls; lp grows at most to lp(maxLength)
      for (Hypothesis h : next) {
        reachable = Math.max(reachable, h.logProb() / penalty(maxLength));
      }
      if (best != null && bestScore >= reachable) {
        break;
      }
      int[] rows = new int[next.size()];
      last = new int[next.size()];
      List<Hypothesis> renumbered = new ArrayList<>();
      for (int i = 0; i < rows.length; i++) {
        Hypothesis h = next.get(i);
        rows[i] = h.row();
        last[i] = h.tokens()[h.tokens().length - 1];
        renumbered.add(new Hypothesis(h.tokens(), h.logProb(), i));
      }
      select.accept(rows);
      live = renumbered;
    }
    return best;
  }

  /**
   * The {@code 2 * beamSize} best expansions of the live hypotheses, best first: log P(prefix) plus the token's
   * log-softmax, in double. Equal scores rank the lower (row, token) first, as greedy's argmax does.
   */
  private List<Candidate> topCandidates(List<Hypothesis> live, Tensor logits) {
    Comparator<Candidate> better = Comparator.comparingDouble(Candidate::logProb)
        .thenComparing(Comparator.comparingInt((Candidate c) -> c.row() * vocab + c.token()).reversed());
    PriorityQueue<Candidate> heap = new PriorityQueue<>(better); // worst kept candidate on top
    int keep = 2 * beamSize;
    for (int i = 0; i < live.size(); i++) {
      int base = i * vocab;
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < vocab; v++) {
        max = Math.max(max, logits.get(base + v));
      }
      double sum = 0;
      for (int v = 0; v < vocab; v++) {
        sum += Math.exp(logits.get(base + v) - max);
      }
      double lse = max + Math.log(sum);
      for (int v = 0; v < vocab; v++) {
        Candidate c = new Candidate(i, v, live.get(i).logProb() + (logits.get(base + v) - lse));
        if (heap.size() < keep) {
          heap.add(c);
        } else if (better.compare(c, heap.peek()) > 0) {
          heap.poll();
          heap.add(c);
        }
      }
    }
    List<Candidate> ranked = new ArrayList<>(heap);
    ranked.sort(better.reversed());
    return ranked;
  }

  /** GNMT's {@code lp = ((5 + length) / 6)^alpha}. */
  private double penalty(int length) {
    return Math.pow((5.0 + length) / 6.0, alpha);
  }
}
