package io.spindle.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns byte-pair merges from pre-token counts (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with
 * Subword Units", over bytes as in GPT-2).
 *
 * <p>Every pre-token starts as its UTF-8 bytes, each byte a token. Each round counts every adjacent pair of tokens
 * over all pre-tokens, weighted by the pre-token's count (a pair that occurs twice in a pre-token counts twice), and
 * merges the most frequent pair everywhere, left to right, into a new token. Ties go to the pair whose left token
 * was made first, then whose right token was (bytes count as made in byte order, before every merge), so the result
 * depends on the counts alone. Rounds stop when the vocabulary reaches its size limit or the most frequent pair
 * occurs fewer than {@code minCount} times. A merge can make a token that another merge made already
 * ({@code (a, bc)} and {@code (ab, c)} both make {@code abc}); it is then learned as a merge but adds no token.
 *
 * <p>The counts are kept up to date rather than recounted: a merge changes only the pre-tokens that hold its pair
 * (an index from pair to pre-tokens finds them), and a priority queue orders the pairs, an entry whose count changed
 * since it was queued being requeued with the new count when it comes up.
 */
final class BpeLearner {
  /** The tokens made (spelled by {@link ByteLevel}, the 256 bytes first) and the merges, in order. */
  record Learned(List<String> tokens, int[] left, int[] right, int[] result) {}

  /** {@link #addPairs}: index the word under every pair. */
  private static final int ALL = -1;

  private final List<String> spellings = new ArrayList<>();
  private final Map<String, Integer> tokenIds = new HashMap<>();
  private int[][] words;
  private int[] lengths;
  private long[] wordCounts;
  private final Map<Long, long[]> pairCounts = new HashMap<>();
  private final Map<Long, IntList> pairWords = new HashMap<>();
  private final PriorityQueue<Candidate> queue = new PriorityQueue<>();

  private BpeLearner() {}

  /**
   * Learns from {@code counts} (pre-token to count) until there are {@code maxTokens} tokens (bytes included) or no
   * pair occurs {@code minCount} times.
   */
  static Learned learn(Map<String, Long> counts, long minCount, long maxTokens) {
    BpeLearner learner = new BpeLearner();
    for (int b = 0; b < 256; b++) {
      learner.addToken(ByteLevel.spell(new byte[] {(byte) b}, 0, 1));
    }
    learner.index(counts);
    return learner.run(minCount, maxTokens);
  }

  private int addToken(String spelling) {
    Integer existing = tokenIds.putIfAbsent(spelling, spellings.size());
    if (existing != null) {
      return existing;
    }
    spellings.add(spelling);
    return spellings.size() - 1;
  }

  /** Turns each pre-token into its bytes and counts the pairs. */
  private void index(Map<String, Long> counts) {
    List<int[]> symbols = new ArrayList<>();
    List<Long> weights = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException("BpeTokenizer: pre-token counts need a pre-token and a count >= 0, got "
            + (e.getKey() == null ? "null" : Vocabulary.quote(e.getKey())) + " -> " + e.getValue());
      }
      byte[] bytes = ByteLevel.utf8(e.getKey());
      if (bytes.length < 2 || e.getValue() == 0) {
        continue; // nothing to merge
      }
      int[] word = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        word[i] = bytes[i] & 0xff;
      }
      symbols.add(word);
      weights.add(e.getValue());
    }
    words = symbols.toArray(new int[0][]);
    lengths = new int[words.length];
    wordCounts = new long[words.length];
    for (int w = 0; w < words.length; w++) {
      lengths[w] = words[w].length;
      wordCounts[w] = weights.get(w);
      addPairs(w, 1, null, ALL);
    }
    pairCounts.forEach((pair, count) -> queue.add(new Candidate(count[0], pair)));
  }

  private Learned run(long minCount, long maxTokens) {
    IntList left = new IntList();
    IntList right = new IntList();
    IntList result = new IntList();
    int[] seen = new int[words.length];
    Arrays.fill(seen, -1);
    while (spellings.size() < maxTokens && !queue.isEmpty()) {
      Candidate top = queue.poll();
      long[] current = pairCounts.get(top.pair);
      long count = current == null ? 0 : current[0];
      if (count != top.count) {
        if (count > 0) {
          queue.add(new Candidate(count, top.pair)); // stale entry: requeue with today's count
        }
        continue;
      }
      if (count < minCount) {
        break;
      }
      int a = (int) (top.pair >>> 32);
      int b = (int) (long) top.pair;
      int made = addToken(spellings.get(a) + spellings.get(b));
      int merge = left.size();
      left.add(a);
      right.add(b);
      result.add(made);
      Map<Long, Long> changed = new HashMap<>();
      IntList holders = pairWords.remove(top.pair);
      for (int k = 0; k < holders.size(); k++) {
        int w = holders.get(k);
        if (seen[w] == merge) {
          continue;
        }
        seen[w] = merge;
        addPairs(w, -1, changed, ALL);
        mergeInWord(w, a, b, made);
        addPairs(w, 1, changed, made);
      }
      changed.forEach((pair, delta) -> {
        long[] c = pairCounts.get(pair);
        if (c[0] == 0) {
          pairCounts.remove(pair);
          pairWords.remove(pair);
        } else if (delta != 0) {
          queue.add(new Candidate(c[0], pair));
        }
      });
    }
    return new Learned(List.copyOf(spellings), left.toArray(), right.toArray(), result.toArray());
  }

  /** Replaces each {@code (a, b)} in word {@code w}, left to right, with {@code made}. */
  private void mergeInWord(int w, int a, int b, int made) {
    int[] word = words[w];
    int n = lengths[w];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (i + 1 < n && word[i] == a && word[i + 1] == b) {
        word[m++] = made;
        i++;
      } else {
        word[m++] = word[i];
      }
    }
    lengths[w] = m;
  }

  /**
   * Adds {@code sign} times word {@code w}'s count to the count of each of its pairs, recording the net change in
   * {@code changed} (if not null) and, when adding, word {@code w} in the index of each pair that holds token
   * {@code indexed} ({@link #ALL}: every pair). After a merge only the pairs holding the new token are new to the
   * word; the others were adjacent before, so the word is in their index already.
   */
  private void addPairs(int w, int sign, Map<Long, Long> changed, int indexed) {
    int[] word = words[w];
    long weight = sign * wordCounts[w];
    for (int i = 0; i + 1 < lengths[w]; i++) {
      long pair = (long) word[i] << 32 | word[i + 1];
      pairCounts.computeIfAbsent(pair, p -> new long[1])[0] += weight;
      if (changed != null) {
        changed.merge(pair, weight, Long::sum);
      }
      if (sign > 0 && (indexed == ALL || word[i] == indexed || word[i + 1] == indexed)) {
        pairWords.computeIfAbsent(pair, p -> new IntList()).add(w);
      }
    }
  }

  /** A pair with the count it had when queued; the most frequent first, then by the tokens' order of making. */
  private record Candidate(long count, long pair) implements Comparable<Candidate> {
    @Override
    public int compareTo(Candidate o) {
      return count != o.count ? Long.compare(o.count, count) : Long.compare(pair, o.pair);
    }
  }

  /** A growable list of ints. */
  private static final class IntList {
    private int[] items = new int[4];
    private int size;

    void add(int value) {
      if (size == items.length) {
        items = Arrays.copyOf(items, 2 * size);
      }
      items[size++] = value;
    }

    int get(int i) {
      return items[i];
    }

    int size() {
      return size;
    }

    int[] toArray() {
      return Arrays.copyOf(items, size);
    }
  }
}
