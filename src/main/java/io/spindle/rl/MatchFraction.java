package io.spindle.rl;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The share of a completion's characters (code points) that lie inside matches of a regular expression, found left to
 * right without overlap: with a character class such as {@code [aeiouAEIOU]} the fraction of vowels, in [0, 1]. An
 * empty completion scores 0. The prompt is not looked at.
 */
public final class MatchFraction implements Reward {
  private static final long serialVersionUID = 1L;
  private final String regex;
  private transient Pattern pattern;

  /** Throws {@link java.util.regex.PatternSyntaxException} for an invalid expression. */
  public MatchFraction(String regex) {
    this.regex = regex;
    this.pattern = Pattern.compile(regex);
  }

  public String regex() {
    return regex;
  }

  @Override
  public double score(String prompt, String completion) {
    int total = completion.codePointCount(0, completion.length());
    if (total == 0) {
      return 0;
    }
    Matcher m = pattern().matcher(completion);
    int matched = 0;
    while (m.find()) {
      matched += completion.codePointCount(m.start(), m.end());
    }
    return (double) matched / total;
  }

  private Pattern pattern() {
    Pattern p = pattern;
    if (p == null) {
      p = Pattern.compile(regex); // after deserialization; Pattern is immutable, so a race only compiles twice
      pattern = p;
    }
    return p;
  }

  /** The spec {@link Rewards#parse} reads back. */
  @Override
  public String describe() {
    return "match:" + regex;
  }

  @Override
  public String toString() {
    return describe();
  }
}
