package io.spindle.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One token per word or punctuation mark. The rule ({@link #PATTERN}):
 * <ul>
 *   <li>a word is a run of letters, combining marks and digits, possibly joined by single apostrophes
 *       ({@code don't}, {@code rock'n'roll}, {@code 1984});
 *   <li>every other non-whitespace code point is a token on its own ({@code .}, {@code ,}, {@code (}, an emoji);
 *   <li>whitespace (Unicode White_Space) only separates tokens and is dropped.
 * </ul>
 * With {@link TokenizerOptions#lowercase()}, each token is lowercased with {@link Locale#ROOT}.
 *
 * <p>{@link #decode} joins tokens with one space, except none before closing punctuation ({@code . , ; : ! ? ) ] }
 * %} and the like) and none after opening brackets ({@code ( [ {}); so decoding is lossy about whitespace: line
 * breaks and runs of spaces become single spaces.
 */
public final class WordTokenizer extends VocabularyTokenizer {
  /** A word (letters, marks, digits, inner apostrophes) or one other non-whitespace code point. */
  public static final Pattern PATTERN = Pattern.compile(
      "[\\p{L}\\p{M}\\p{N}]+(?:['\u2019][\\p{L}\\p{M}\\p{N}]+)*" // word
      + "|[^\\p{IsWhite_Space}\\p{L}\\p{M}\\p{N}]"); // any other non-whitespace code point

  private static final String NO_SPACE_BEFORE = ".,;:!?)]}%\u2019\u201d\u2026";
  private static final String NO_SPACE_AFTER = "([{\u2018\u201c";


  /**
   * A tokenizer over {@code learned} words, specials first. Throws {@link IllegalArgumentException} naming any token
   * that the rule would not produce as one token (empty, containing whitespace, ...) or a duplicate.
   */
  public WordTokenizer(TokenizerOptions options, List<String> learned) {
    super(options, learned);
    int first = vocabulary().numSpecials();
    for (int i = 0; i < learned.size(); i++) {
      if (!PATTERN.matcher(learned.get(i)).matches()) {
        throw new IllegalArgumentException("WordTokenizer: token " + (first + i) + " "
            + Vocabulary.quote(learned.get(i)) + " is not a single word or punctuation mark");
      }
    }
  }

  /** The words and punctuation of {@code text} by the rule above, lowercased if {@code lowercase}. */
  public static List<String> split(String text, boolean lowercase) {
    List<String> words = new ArrayList<>();
    Matcher m = PATTERN.matcher(text);
    while (m.find()) {
      words.add(lowercase ? m.group().toLowerCase(Locale.ROOT) : m.group());
    }
    return words;
  }

  /**
   * Learns the words of {@code texts}: counted after optional lowercasing, kept if counted at least {@code minCount}
   * times, most frequent first, ties in {@link String#compareTo} order, at most {@code maxVocabSize} tokens in all.
   * The same as {@link #fromCounts}{@code (}{@link #count}{@code (texts, options), options)}.
   */
  public static WordTokenizer learn(Iterable<String> texts, TokenizerOptions options) {
    return fromCounts(count(texts, options), options);
  }

  /**
   * How often each word (and punctuation mark) of {@code texts} occurs by the rule above, after lowercasing if
   * {@code options.lowercase()}. Counts of disjoint parts of a corpus that are split at whitespace add up to the
   * counts of the whole, so a corpus of lines can be counted in pieces (on Spark executors, say), the maps merged by
   * summing, and {@link #fromCounts} learns exactly what {@link #learn} learns from the whole.
   */
  public static Map<String, Long> count(Iterable<String> texts, TokenizerOptions options) {
    Map<String, Long> counts = new HashMap<>();
    for (String text : texts) {
      for (String word : split(text, options.lowercase())) {
        counts.merge(word, 1L, Long::sum);
      }
    }
    return counts;
  }

  /**
   * The tokenizer {@link #learn} would build from a corpus with these word counts (as {@link #count} gives them).
   * Throws {@link IllegalArgumentException} naming a key the rule would not produce as one token.
   */
  public static WordTokenizer fromCounts(Map<String, Long> counts, TokenizerOptions options) {
    return new WordTokenizer(options, Vocabulary.mostFrequent(counts, options, String::compareTo));
  }

  /** {@link #learn(Iterable, TokenizerOptions)} over a stream, consuming it. */
  public static WordTokenizer learn(Stream<String> texts, TokenizerOptions options) {
    return learn(texts::iterator, options);
  }

  @Override
  public String type() {
    return "word";
  }

  @Override
  int[] encode(String text, boolean strict) {
    boolean lowercase = options().lowercase();
    Vocabulary vocabulary = vocabulary();
    int unk = unknownId(strict);
    int[] ids = new int[16];
    int n = 0;
    Matcher m = PATTERN.matcher(text);
    while (m.find()) {
      String word = lowercase ? m.group().toLowerCase(Locale.ROOT) : m.group();
      int id = vocabulary.idOrMinusOne(word);
      if (id < 0 && unk < 0) {
        throw unknown(strict, "word " + Vocabulary.quote(word), n, m.start());
      }
      if (n == ids.length) {
        ids = Arrays.copyOf(ids, 2 * n);
      }
      ids[n++] = id < 0 ? unk : id;
    }
    return Arrays.copyOf(ids, n);
  }

  @Override
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    String previous = null;
    for (int i = 0; i < ids.length; i++) {
      String token = decodedToken(ids, i);
      if (token == null) {
        continue;
      }
      if (previous != null && !isIn(token, NO_SPACE_BEFORE) && !isIn(previous, NO_SPACE_AFTER)) {
        sb.append(' ');
      }
      sb.append(token);
      previous = token;
    }
    return sb.toString();
  }

  private static boolean isIn(String token, String punctuation) {
    return token.length() == 1 && punctuation.indexOf(token.charAt(0)) >= 0;
  }
}
