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
public final class CharTokenizer implements Tokenizer {
  private final TokenizerOptions options;
  private final Vocabulary vocabulary;
  /** Id of each BMP code point, -1 if absent: a dense table, as most text never leaves the BMP. */
  private final int[] idOfBmp = new int[Character.MAX_VALUE + 1];
  /** Id of each supplementary code point (emoji, math letters, ...). */
  private final Map<Integer, Integer> idOfSupplementary = new HashMap<>();

  /**
   * A tokenizer over {@code learned} code points (each token exactly one code point), specials first. Throws
   * {@link IllegalArgumentException} naming any token that is not a single code point, or a duplicate.
   */
  public CharTokenizer(TokenizerOptions options, List<String> learned) {
    this.options = options;
    this.vocabulary = new Vocabulary(options.specials(), learned);
    if (vocabulary.size() > options.maxVocabSize()) {
      throw new IllegalArgumentException("CharTokenizer: " + vocabulary.size() + " tokens exceed maxVocabSize "
          + options.maxVocabSize());
    }
    Arrays.fill(idOfBmp, -1);
    int first = vocabulary.numSpecials();
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
  public TokenizerOptions options() {
    return options;
  }

  @Override
  public Vocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public int[] encode(String text) {
    return encode(text, false);
  }

  @Override
  public int[] encodeStrict(String text) {
    return encode(text, true);
  }

  private int[] encode(String text, boolean strict) {
    int unk = strict ? -1 : vocabulary.specialIdOrMinusOne(Special.UNK);
    int[] ids = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int key = options.lowercase() ? Character.toLowerCase(cp) : cp;
      int id = idOf(key);
      if (id < 0 && unk < 0) {
        throw new BadInputException("CharTokenizer." + (strict ? "encodeStrict" : "encode") + ": character "
            + Vocabulary.quote(Character.toString(cp)) + " at position " + n + " (char index " + i
            + ") is not in the vocabulary"
            + (strict ? "" : " and the tokenizer has no <unk>"));
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
      int id = ids[i];
      if (id < 0 || id >= vocabulary.size()) {
        throw new IllegalArgumentException("CharTokenizer.decode: id " + id + " at position " + i
            + " out of range [0, " + vocabulary.size() + ")");
      }
      if (!isSkipped(id)) {
        sb.append(vocabulary.token(id));
      }
    }
    return sb.toString();
  }

  private boolean isSkipped(int id) {
    return vocabulary.isSpecial(id, Special.PAD) || vocabulary.isSpecial(id, Special.BOS)
        || vocabulary.isSpecial(id, Special.EOS);
  }

  @Override
  public String toString() {
    return "CharTokenizer(vocabSize=" + vocabSize() + ", specials=" + options.specials() + ", lowercase="
        + options.lowercase() + ", first tokens=" + vocabulary.tokens().subList(0, Math.min(8, vocabSize())) + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CharTokenizer other && options.equals(other.options)
        && vocabulary.tokens().equals(other.vocabulary.tokens());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new Object[] {options, vocabulary.tokens()});
  }
}
