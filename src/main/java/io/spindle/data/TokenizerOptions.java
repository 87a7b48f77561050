package io.spindle.data;

import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a tokenizer is learned, validated once on construction. Serializable, so that Spark tasks that count tokens
 * can carry it.
 *
 * @param specials the special tokens to reserve (ids fixed by {@link Special}'s order); stored as an unmodifiable set
 *     iterating in that order
 * @param minCount a token enters the vocabulary only if it occurs at least this often in the training texts
 * @param maxVocabSize the largest vocabulary, special tokens included; the most frequent tokens are kept, ties broken
 *     by the token's order (code point order for characters, {@link String#compareTo} for words). Use
 *     {@link #NO_LIMIT} for none
 * @param lowercase whether text is lowercased ({@link java.util.Locale#ROOT}) before learning and encoding
 */
public record TokenizerOptions(Set<Special> specials, int minCount, int maxVocabSize, boolean lowercase)
    implements Serializable {
  private static final long serialVersionUID = 1L;
  /** {@link #maxVocabSize()} meaning "no limit". */
  public static final int NO_LIMIT = Integer.MAX_VALUE;

  public TokenizerOptions {
    if (specials == null) {
      throw new IllegalArgumentException("TokenizerOptions: specials must not be null (use an empty set for none)");
    }
    specials = Collections.unmodifiableSet(
        specials.isEmpty() ? EnumSet.noneOf(Special.class) : EnumSet.copyOf(specials));
    if (minCount < 1) {
      throw new IllegalArgumentException("TokenizerOptions: minCount must be >= 1, got " + minCount);
    }
    if (maxVocabSize <= specials.size()) {
      throw new IllegalArgumentException("TokenizerOptions: maxVocabSize " + maxVocabSize
          + " leaves no room for learned tokens after " + specials.size() + " special tokens");
    }
  }

  /** All four specials, every token kept ({@code minCount} 1, no size limit), case preserved. */
  public static TokenizerOptions defaults() {
    return new TokenizerOptions(EnumSet.allOf(Special.class), 1, NO_LIMIT, false);
  }

  public TokenizerOptions withSpecials(Collection<Special> newSpecials) {
    return new TokenizerOptions(Set.copyOf(newSpecials), minCount, maxVocabSize, lowercase);
  }

  public TokenizerOptions withSpecials(Special... newSpecials) {
    return withSpecials(Set.of(newSpecials));
  }

  public TokenizerOptions withMinCount(int newMinCount) {
    return new TokenizerOptions(specials, newMinCount, maxVocabSize, lowercase);
  }

  public TokenizerOptions withMaxVocabSize(int newMaxVocabSize) {
    return new TokenizerOptions(specials, minCount, newMaxVocabSize, lowercase);
  }

  public TokenizerOptions withLowercase(boolean newLowercase) {
    return new TokenizerOptions(specials, minCount, maxVocabSize, newLowercase);
  }
}
