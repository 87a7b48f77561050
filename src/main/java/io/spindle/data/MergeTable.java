package io.spindle.data;

import java.util.Arrays;

/**
 * The merges of a {@link BpeTokenizer} as a rank map, and their application to the symbols of one pre-token.
 *
 * <p>Merge {@code r} (its rank: earlier merges were learned first and win) joins the adjacent tokens
 * {@code (left[r], right[r])} into {@code result[r]}. Applying the merges to a sequence of token ids repeats one
 * step until no adjacent pair has a merge: join the pair with the lowest rank, the leftmost such pair if it occurs
 * more than once. (This is GPT-2's rule: its "merge every occurrence of the best pair, left to right" gives the same
 * tokens.)
 *
 * <p>Lookups go through an open-addressing hash table from the pair {@code (left << 32 | right)} to the rank, with no
 * boxing. Short sequences are merged by rescanning a small array of pair ranks ({@link #applyByScan}); long ones
 * (a pre-token of thousands of letters, say) through a heap of candidate pairs over a linked list of symbols
 * ({@link #applyByHeap}), so that the time grows as n log n rather than n². Immutable and thread-safe.
 */
final class MergeTable {
  /** Sequences up to this long are merged by rescanning; longer ones through the heap. */
  static final int SCAN_LIMIT = 48;
  private static final long EMPTY = -1L;

  private final int[] results;
  private final long[] keys;
  private final int[] ranks;
  private final int mask;

  /**
   * The table of merges {@code r = 0, 1, ...}: {@code left[r] right[r] -> result[r]}. Throws
   * {@link IllegalArgumentException} naming a pair that has two merges.
   */
  MergeTable(int[] left, int[] right, int[] result) {
    int n = result.length;
    this.results = result.clone();
    int capacity = Integer.highestOneBit(Math.max(4, n * 2 + 1)) << 1; // load factor below 1/2
    this.keys = new long[capacity];
    this.ranks = new int[capacity];
    this.mask = capacity - 1;
    Arrays.fill(keys, EMPTY);
    for (int r = 0; r < n; r++) {
      long key = key(left[r], right[r]);
      int slot = slot(key);
      while (keys[slot] != EMPTY && keys[slot] != key) {
        slot = (slot + 1) & mask;
      }
      if (keys[slot] == key) {
        throw new IllegalArgumentException("merge " + r + " repeats merge " + ranks[slot] + " (ids " + left[r] + ", "
            + right[r] + ")");
      }
      keys[slot] = key;
      ranks[slot] = r;
    }
  }

  /** The number of merges. */
  int size() {
    return results.length;
  }

  /** The rank of the merge of {@code (left, right)}, or -1 if there is none. */
  int rank(int left, int right) {
    long key = key(left, right);
    for (int slot = slot(key); ; slot = (slot + 1) & mask) {
      long k = keys[slot];
      if (k == key) {
        return ranks[slot];
      }
      if (k == EMPTY) {
        return -1;
      }
    }
  }

  /** The token the merge of rank {@code rank} makes. */
  int result(int rank) {
    return results[rank];
  }

  /** Applies the merges to {@code symbols[0, n)} in place; returns the new length. */
  int apply(int[] symbols, int n) {
    return n <= SCAN_LIMIT ? applyByScan(symbols, n) : applyByHeap(symbols, n);
  }

  /** {@link #apply} by rescanning the pairs' ranks after each merge: n² steps, fast for short sequences. */
  int applyByScan(int[] symbols, int n) {
    if (n < 2) {
      return n;
    }
    int[] pairRank = new int[n - 1]; // pairRank[i]: rank of (symbols[i], symbols[i + 1]), -1 if none
    for (int i = 0; i < n - 1; i++) {
      pairRank[i] = rank(symbols[i], symbols[i + 1]);
    }
    while (n > 1) {
      int best = -1;
      for (int i = 0; i < n - 1; i++) {
        int r = pairRank[i];
        if (r >= 0 && (best < 0 || r < pairRank[best])) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      symbols[best] = results[pairRank[best]];
      System.arraycopy(symbols, best + 2, symbols, best + 1, n - best - 2);
      if (n - best - 3 > 0) {
        System.arraycopy(pairRank, best + 2, pairRank, best + 1, n - best - 3);
      }
      n--;
      if (best > 0) {
        pairRank[best - 1] = rank(symbols[best - 1], symbols[best]);
      }
      if (best < n - 1) {
        pairRank[best] = rank(symbols[best], symbols[best + 1]);
      }
    }
    return n;
  }

  /**
   * {@link #apply} with a min-heap of candidate merges {@code (rank, position)} over a doubly linked list of symbols:
   * a popped candidate is applied if its pair is still there with that rank (merges since it was pushed may have
   * taken either symbol), and the two pairs it forms with its neighbours are pushed. Ties in rank pop the smallest
   * position first, i.e. the leftmost pair, as the rule says.
   */
  int applyByHeap(int[] symbols, int n) {
    if (n < 2) {
      return n;
    }
    int[] next = new int[n];
    int[] prev = new int[n];
    for (int i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    LongHeap heap = new LongHeap(n);
    for (int i = 0; i < n - 1; i++) {
      push(heap, symbols[i], symbols[i + 1], i);
    }
    while (!heap.isEmpty()) {
      long top = heap.pop();
      int r = (int) (top >>> 32);
      int i = (int) top;
      int j = next[i];
      if (symbols[i] < 0 || j < 0 || rank(symbols[i], symbols[j]) != r) {
        continue; // stale: a merge since the push changed this pair
      }
      symbols[i] = results[r];
      symbols[j] = -1;
      next[i] = next[j];
      if (next[j] >= 0) {
        prev[next[j]] = i;
        push(heap, symbols[i], symbols[next[i]], i);
      }
      if (prev[i] >= 0) {
        push(heap, symbols[prev[i]], symbols[i], prev[i]);
      }
    }
    int m = 0;
    for (int i = 0; i >= 0; i = next[i]) {
      symbols[m++] = symbols[i];
    }
    return m;
  }

  private void push(LongHeap heap, int left, int right, int position) {
    int r = rank(left, right);
    if (r >= 0) {
      heap.push((long) r << 32 | position);
    }
  }

  private static long key(int left, int right) {
    return (long) left << 32 | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads the two ids over the table
    return (int) (h >>> 33) & mask;
  }

  /** A binary min-heap of longs. */
  private static final class LongHeap {
    private long[] items;
    private int size;

    LongHeap(int capacity) {
      items = new long[Math.max(4, capacity)];
    }

    boolean isEmpty() {
      return size == 0;
    }

    void push(long item) {
      if (size == items.length) {
        items = Arrays.copyOf(items, 2 * size);
      }
      int i = size++;
      while (i > 0 && items[(i - 1) / 2] > item) {
        items[i] = items[(i - 1) / 2];
        i = (i - 1) / 2;
      }
      items[i] = item;
    }

    long pop() {
      long top = items[0];
      long last = items[--size];
      int i = 0;
      while (2 * i + 1 < size) {
        int child = 2 * i + 1;
        if (child + 1 < size && items[child + 1] < items[child]) {
          child++;
        }
        if (items[child] >= last) {
          break;
        }
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
      return top;
    }
  }
}
