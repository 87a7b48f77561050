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
  private final Map<Integer, Integer> idOfCodePoint;

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
    this.idOfCodePoint = new HashMap<>(learned.size() * 2);
    int first = vocabulary.numSpecials();
    for (int i = 0; i < learned.size(); i++) {
      String token = learned.get(i);
      if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
        throw new IllegalArgumentException("CharTokenizer: token " + (first + i) + " " + Vocabulary.quote(token)
            + " is not a single code point");
      }
      idOfCodePoint.put(token.codePointAt(0), first + i);
    }
  }

  /**
   * Learns the code points of {@code texts}: counted after optional lowercasing, kept if counted at least
   * {@code minCount} times, most frequent first, ties in code point order, at most {@code maxVocabSize} tokens in all.
   */
  public static CharTokenizer learn(Iterable<String> texts, TokenizerOptions options) {
    Map<Integer, Long> counts = new HashMap<>();
    for (String text : texts) {
      text.codePoints().forEach(cp -> counts.merge(options.lowercase() ? Character.toLowerCase(cp) : cp, 1L, Long::sum));
    }
    Map<String, Long> byToken = new HashMap<>(counts.size() * 2);
    counts.forEach((cp, n) -> byToken.put(Character.toString(cp), n));
    List<String> learned = Vocabulary.mostFrequent(byToken, options,
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
    return encode(text, vocabulary.specialIdOrMinusOne(Special.UNK), "encode");
  }

  @Override
  public int[] encodeStrict(String text) {
    return encode(text, -1, "encodeStrict");
  }

  private int[] encode(String text, int unk, String op) {
    int[] ids = new int[text.codePointCount(0, text.length())];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int key = options.lowercase() ? Character.toLowerCase(cp) : cp;
      Integer id = idOfCodePoint.get(key);
      if (id == null && unk < 0) {
        throw new IllegalArgumentException("CharTokenizer." + op + ": character " + Vocabulary.quote(Character.toString(cp))
            + " at position " + n + " (char index " + i + ") is not in the vocabulary"
            + (op.equals("encode") ? " and the tokenizer has no <unk>" : ""));
      }
      ids[n++] = id == null ? unk : id;
      i += Character.charCount(cp);
    }
    return ids;
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
