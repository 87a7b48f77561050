package io.spindle.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One token per Unicode code point (not per UTF-16 {@code char}), so emoji and other characters beyond the Basic
 * Multilingual Plane are single tokens. Positions in error messages are given both as code point index and as
 * {@code char} index into the string.
 *
 * <p>With {@link TokenizerOptions#lowercase()}, each code point goes through {@link Character#toLowerCase(int)},
 * which maps one code point to one, so positions are unchanged.
 */
public final class CharTokenizer extends VocabularyTokenizer {
  /** Id of each BMP code point, -1 if absent: a dense table, as most text never leaves the BMP. */
  private final int[] idOfBmp = new int[Character.MAX_VALUE + 1];
  /** Id of each supplementary code point (emoji, math letters, ...). */
  private final Map<Integer, Integer> idOfSupplementary = new HashMap<>();

  /**
   * A tokenizer over {@code learned} code points (each token exactly one code point), specials first. Throws
   * {@link IllegalArgumentException} naming any token that is not a single code point, or a duplicate.
   */
  public CharTokenizer(TokenizerOptions options, List<String> learned) {
    super(options, learned);
    Arrays.fill(idOfBmp, -1);
    int first = vocabulary().numSpecials();
    for (int i = 0; i < learned.size(); i++) {
      String token = learned.get(i);
      if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
        throw new IllegalArgumentException("CharTokenizer: token " + (first + i) + " " + Vocabulary.quote(token)
            + " is not a single code point");
      }
      int cp = token.codePointAt(0);
      if (Character.isBmpCodePoint(cp)) {
        idOfBmp[cp] = first + i;
      } else {
        idOfSupplementary.put(cp, first + i);
      }
    }
  }

  /**
   * Learns the code points of {@code texts}: counted after optional lowercasing, kept if counted at least
   * {@code minCount} times, most frequent first, ties in code point order, at most {@code maxVocabSize} tokens in all.
   * The same as {@link #fromCounts}{@code (}{@link #count}{@code (texts, options), options)}.
   */
  public static CharTokenizer learn(Iterable<String> texts, TokenizerOptions options) {
    return fromCounts(count(texts, options), options);
  }

  /**
   * How often each code point of {@code texts} occurs, after lowercasing if {@code options.lowercase()}: code point
   * (as a one-code-point string) to count. Counts of disjoint parts of a corpus add up to the counts of the whole,
   * so a corpus can be counted in pieces (on Spark executors, say), the maps merged by summing, and
   * {@link #fromCounts} learns exactly what {@link #learn} learns from the whole.
   */
  public static Map<String, Long> count(Iterable<String> texts, TokenizerOptions options) {
    long[] bmpCounts = new long[Character.MAX_VALUE + 1];
    Map<Integer, Long> supplementaryCounts = new HashMap<>();
    for (String text : texts) {
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        i += Character.charCount(cp);
        cp = options.lowercase() ? Character.toLowerCase(cp) : cp;
        if (Character.isBmpCodePoint(cp)) {
          bmpCounts[cp]++;
        } else {
          supplementaryCounts.merge(cp, 1L, Long::sum);
        }
      }
    }
    Map<String, Long> byToken = new HashMap<>();
    for (int cp = 0; cp < bmpCounts.length; cp++) {
      if (bmpCounts[cp] > 0) {
        byToken.put(Character.toString(cp), bmpCounts[cp]);
      }
    }
    supplementaryCounts.forEach((cp, n) -> byToken.put(Character.toString(cp), n));
    return byToken;
  }

  /**
   * The tokenizer {@link #learn} would build from a corpus with these code point counts (as {@link #count} gives
   * them): kept if counted at least {@code minCount} times, most frequent first, ties in code point order. Throws
   * {@link IllegalArgumentException} naming a key that is not a single code point.
   */
  public static CharTokenizer fromCounts(Map<String, Long> counts, TokenizerOptions options) {
    for (String token : counts.keySet()) {
      if (token != null && (token.isEmpty() || token.codePointCount(0, token.length()) != 1)) {
        throw new IllegalArgumentException("CharTokenizer.fromCounts: " + Vocabulary.quote(token)
            + " is not a single code point");
      }
    }
    List<String> learned = Vocabulary.mostFrequent(counts, options,
        (a, b) -> Integer.compare(a.codePointAt(0), b.codePointAt(0)));
    return new CharTokenizer(options, learned);
  }

  /** {@link #learn(Iterable, TokenizerOptions)} over a stream, consuming it. */
  public static CharTokenizer learn(Stream<String> texts, TokenizerOptions options) {
    return learn(texts::iterator, options);
  }

  @Override
  public String type() {
    return "char";
  }

  @Override
  int[] encode(String text, boolean strict) {
    boolean lowercase = options().lowercase();
    int unk = unknownId(strict);
    int[] ids = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int key = lowercase ? Character.toLowerCase(cp) : cp;
      int id = idOf(key);
      if (id < 0 && unk < 0) {
        throw unknown(strict, "character " + Vocabulary.quote(Character.toString(cp)), n, i);
      }
      ids[n++] = id < 0 ? unk : id;
      i += Character.charCount(cp);
    }
    return ids;
  }

  private int idOf(int codePoint) {
    if (Character.isBmpCodePoint(codePoint)) {
      return idOfBmp[codePoint];
    }
    return idOfSupplementary.getOrDefault(codePoint, -1);
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder(ids.length);
    for (int i = 0; i < ids.length; i++) {
      String token = decodedToken(ids, i);
      if (token != null) {
        sb.append(token);
      }
    }
    return sb.toString();
  }
}
