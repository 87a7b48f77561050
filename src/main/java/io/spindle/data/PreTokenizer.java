package io.spindle.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How {@link BpeTokenizer} cuts text into pre-tokens before it merges bytes: merges never cross a pre-token's edge,
 * so a pre-token is the most a single token can span, and its tokens depend on it alone (which is why encoding can
 * cache them per pre-token). The cut is a regular expression: its matches are pre-tokens, and so is any stretch of
 * text between two matches (a pattern that covers all text, as both below do, leaves none), so no text is lost.
 *
 * <p>{@link #LINES}, the rule of the BPE tokenizers Spindle learns, reads its alternatives in order:
 * <ol>
 *   <li>the English clitics {@code 's 't 're 've 'm 'll 'd} (lowercase, straight apostrophe) on their own;
 *   <li>a run of letters, a run of digits, or a run of other visible characters (punctuation, symbols, emoji), each
 *       taking one space in front of it if there is one: {@code " the"}, {@code " 1984"}, {@code " (("};
 *   <li>a line break ({@code \n}) alone;
 *   <li>a run of other whitespace, leaving out its last space when a word follows (that space goes with the word,
 *       above): {@code "a   b"} is {@code "a"}, {@code "  "}, {@code " b"}.
 * </ol>
 * So a word's tokens are the same wherever it stands after a space, and a line break is always a pre-token of its
 * own. The latter is what lets Spark learn from the lines of a text separately ({@code SparkVocabulary}): the
 * pre-tokens of lines joined by {@code \n} are those of each line plus one {@code \n} per join.
 *
 * <p>{@link #GPT2} is the rule of GPT-2 and of Hugging Face's {@code ByteLevel} pre-tokenizer: the same but for
 * line breaks, which are whitespace like any other (so {@code "\n\n"} is one pre-token). {@link BpeTokenizer} files
 * in Hugging Face's format use it, or the regular expression of their {@code Split} pre-tokenizer.
 *
 * <p>Patterns are Java regular expressions compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}, so {@code \s} is
 * Unicode whitespace as in the Oniguruma expressions of Hugging Face's files. Immutable and thread-safe.
 */
public final class PreTokenizer {
  /** The pattern of {@link #LINES}. */
  public static final String LINES_REGEX =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\n|[^\\S\\n]+(?!\\S)|[^\\S\\n]+";
  /** The pattern of {@link #GPT2}. */
  public static final String GPT2_REGEX =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  /** Spindle's rule: GPT-2's with every line break a pre-token of its own. */
  public static final PreTokenizer LINES = new PreTokenizer(LINES_REGEX);
  /** GPT-2's rule (Hugging Face's {@code ByteLevel} pre-tokenizer with {@code use_regex}). */
  public static final PreTokenizer GPT2 = new PreTokenizer(GPT2_REGEX);

  private final String regex;
  private final Pattern pattern;

  private PreTokenizer(String regex) {
    this.regex = regex;
    this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
  }

  /**
   * The pre-tokenizer of {@code regex}: {@link #LINES} or {@link #GPT2} for their patterns, else a new one. Throws
   * {@link IllegalArgumentException} naming the problem if {@code regex} is not a valid Java regular expression.
   */
  public static PreTokenizer of(String regex) {
    if (LINES_REGEX.equals(regex)) {
      return LINES;
    }
    if (GPT2_REGEX.equals(regex)) {
      return GPT2;
    }
    try {
      return new PreTokenizer(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("pre-tokenizer pattern " + Vocabulary.quote(regex)
          + " is not a valid regular expression: " + e.getDescription(), e);
    }
  }

  /** The regular expression. */
  public String regex() {
    return regex;
  }

  /** The pre-tokens of {@code text}, in order; they concatenate to {@code text}. */
  public List<String> split(String text) {
    List<String> pieces = new ArrayList<>();
    forEach(text, (from, to) -> pieces.add(text.substring(from, to)));
    return pieces;
  }

  /** Receives each pre-token as the range {@code [from, to)} of the text. */
  @FunctionalInterface
  interface PieceConsumer {
    void accept(int from, int to);
  }

  /** Calls {@code consumer} with each non-empty pre-token of {@code text}, in order. */
  void forEach(CharSequence text, PieceConsumer consumer) {
    Matcher m = pattern.matcher(text);
    int done = 0;
    while (m.find()) {
      if (m.start() > done) {
        consumer.accept(done, m.start());
      }
      if (m.end() > m.start()) {
        consumer.accept(m.start(), m.end());
      }
      done = m.end();
    }
    if (done < text.length()) {
      consumer.accept(done, text.length());
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreTokenizer other && regex.equals(other.regex);
  }

  @Override
  public int hashCode() {
    return regex.hashCode();
  }

  @Override
  public String toString() {
    return this == LINES ? "PreTokenizer.LINES" : this == GPT2 ? "PreTokenizer.GPT2" : "PreTokenizer(" + regex + ")";
  }
}
