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
 * @param maxVocabSize the largest vocabulary, special tokens included: for characters and words the most frequent
 *     tokens are kept, ties broken by the token's order (code point order for characters, {@link String#compareTo}
 *     for words); for BPE it is the size the merges grow the vocabulary to ({@link BpeTokenizer#fromCounts}).
 *     {@link #DEFAULT_MAX_VOCAB_SIZE} by default; use {@link #NO_LIMIT} for none, but mind that a word vocabulary
 *     then holds every word seen {@code minCount} times, and a BPE one merges until whole words are tokens
 * @param lowercase whether text is lowercased ({@link java.util.Locale#ROOT}) before learning and encoding
 */
public record TokenizerOptions(Set<Special> specials, int minCount, int maxVocabSize, boolean lowercase)
    implements Serializable {
  private static final long serialVersionUID = 1L;
  /** {@link #maxVocabSize()} meaning "no limit". */
  public static final int NO_LIMIT = Integer.MAX_VALUE;
  /**
   * The default {@link #maxVocabSize()}: 32,000 tokens, specials included. Word vocabularies of natural text are
   * long-tailed (of the Jargon File's 22,826 distinct words, 13,869 occur at most twice; a few thousand e-mails can
   * hold over 100,000), and each token costs the model an embedding row, so past this size the rarest words are left
   * to {@code <unk>}. Llama 2's BPE vocabulary has this size too. Character vocabularies seldom come near it.
   */
  public static final int DEFAULT_MAX_VOCAB_SIZE = 32_000;

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

  /**
   * All four specials, tokens seen once kept ({@code minCount} 1), at most {@link #DEFAULT_MAX_VOCAB_SIZE} tokens,
   * case preserved.
   */
  public static TokenizerOptions defaults() {
    return new TokenizerOptions(EnumSet.allOf(Special.class), 1, DEFAULT_MAX_VOCAB_SIZE, false);
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
