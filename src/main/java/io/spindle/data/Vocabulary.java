package io.spindle.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The tokens of a tokenizer in id order and the lookups between ids and tokens. Immutable.
 *
 * <p>Layout: the special tokens present come first, in {@link Special}'s order, then the learned tokens, most
 * frequent first (see {@link #mostFrequent}).
 */
public final class Vocabulary {
  private final List<String> tokens;
  private final Map<String, Integer> ids;
  private final int[] specialIds = new int[Special.values().length];

  /**
   * Builds the vocabulary {@code specials + learned}. Throws {@link IllegalArgumentException} naming the token and its
   * two ids if a token occurs twice (a learned token equal to a special's text counts).
   */
  public Vocabulary(Set<Special> specials, List<String> learned) {
    List<String> all = new ArrayList<>(specials.size() + learned.size());
    Arrays.fill(specialIds, -1);
    for (Special s : Special.values()) {
      if (specials.contains(s)) {
        specialIds[s.ordinal()] = all.size();
        all.add(s.token());
      }
    }
    all.addAll(learned);
    Map<String, Integer> index = new HashMap<>(all.size() * 2);
    for (int id = 0; id < all.size(); id++) {
      String token = all.get(id);
      if (token == null) {
        throw new IllegalArgumentException("vocabulary: token " + id + " is null");
      }
      Integer previous = index.putIfAbsent(token, id);
      if (previous != null) {
        throw new IllegalArgumentException("vocabulary: duplicate token " + quote(token) + " at ids " + previous
            + " and " + id);
      }
    }
    this.tokens = Collections.unmodifiableList(all);
    this.ids = index;
  }

  /**
   * The learned tokens: those counted at least {@code options.minCount()} times, most frequent first, ties broken by
   * {@code tieOrder}, keeping at most {@code options.maxVocabSize()} minus the number of specials. Deterministic for
   * equal counts whatever the map's iteration order. Throws {@link IllegalArgumentException} for a null token or a
   * null or negative count.
   */
  static List<String> mostFrequent(Map<String, Long> counts, TokenizerOptions options, Comparator<String> tieOrder) {
    List<Map.Entry<String, Long>> kept = new ArrayList<>();
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
        throw new IllegalArgumentException("vocabulary: token counts need a token and a count >= 0, got "
            + (e.getKey() == null ? "null" : quote(e.getKey())) + " -> " + e.getValue());
      }
      if (e.getValue() >= options.minCount()) {
        kept.add(e);
      }
    }
    kept.sort(Map.Entry.<String, Long>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey(tieOrder)));
    long room = (long) options.maxVocabSize() - options.specials().size();
    int n = (int) Math.min(kept.size(), room);
    List<String> learned = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      learned.add(kept.get(i).getKey());
    }
    return learned;
  }

  /** Number of tokens, specials included. */
  public int size() {
    return tokens.size();
  }

  /** All tokens in id order, unmodifiable. */
  public List<String> tokens() {
    return tokens;
  }

  /** Whether {@code token} is in the vocabulary. */
  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /** The id of {@code token}; throws {@link IllegalArgumentException} if it is not in the vocabulary. */
  public int id(String token) {
    Integer id = ids.get(token);
    if (id == null) {
      throw new IllegalArgumentException("vocabulary: token " + quote(token) + " is not in the vocabulary of "
          + size() + " tokens");
    }
    return id;
  }

  /** The id of {@code token}, or -1 if it is not in the vocabulary (for encoding loops). */
  int idOrMinusOne(String token) {
    Integer id = ids.get(token);
    return id == null ? -1 : id;
  }

  /** The token with id {@code id}; throws {@link IllegalArgumentException} if the id is out of range. */
  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new IllegalArgumentException("vocabulary: id " + id + " out of range [0, " + tokens.size() + ")");
    }
    return tokens.get(id);
  }

  /** The id of {@code special}, empty if this vocabulary does not reserve it. */
  public OptionalInt specialId(Special special) {
    int id = specialIds[special.ordinal()];
    return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The id of {@code special}, or -1 if absent (for encoding loops). */
  int specialIdOrMinusOne(Special special) {
    return specialIds[special.ordinal()];
  }

  /** Whether {@code id} is the id of {@code special}. */
  boolean isSpecial(int id, Special special) {
    return id >= 0 && specialIds[special.ordinal()] == id;
  }

  /** The number of special tokens, which are ids {@code [0, numSpecials)}. */
  public int numSpecials() {
    int n = 0;
    for (int id : specialIds) {
      n += id >= 0 ? 1 : 0;
    }
    return n;
  }

  /**
   * A token as it appears in messages: {@code 'abc'}; with its code points appended when any is outside printable
   * ASCII, {@code 'é' (U+00E9)}, and control characters shown only by code point, {@code U+000A}.
   */
  static String quote(String token) {
    StringBuilder codes = new StringBuilder();
    boolean plain = true;
    boolean control = false;
    for (int i = 0; i < token.length(); i += Character.charCount(token.codePointAt(i))) {
      int cp = token.codePointAt(i);
      plain &= cp >= 0x20 && cp < 0x7f;
      control |= Character.isISOControl(cp);
      codes.append(codes.length() == 0 ? "" : " ").append(String.format("U+%04X", cp));
    }
    if (control) {
      return codes.toString();
    }
    return plain ? "'" + token + "'" : "'" + token + "' (" + codes + ")";
  }
}
