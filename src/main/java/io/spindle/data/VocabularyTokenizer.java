package io.spindle.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What every learned tokenizer shares: its options and {@link Vocabulary}, the two encodings (lenient, unknown
 * tokens as {@code <unk>}; strict, unknown tokens an error), the range check of decoding and the specials it drops,
 * and equality by type, options, tokens and {@link #rules()}. Subclasses say how text splits into tokens and how
 * tokens join.
 */
abstract class VocabularyTokenizer implements Tokenizer {
  private final TokenizerOptions options;
  private final Vocabulary vocabulary;

  /** A tokenizer over {@code learned} tokens, specials first; refuses more tokens than the options allow. */
  VocabularyTokenizer(TokenizerOptions options, List<String> learned) {
    this.options = options;
    this.vocabulary = new Vocabulary(options.specials(), learned);
    if (vocabulary.size() > options.maxVocabSize()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": " + vocabulary.size()
          + " tokens exceed maxVocabSize " + options.maxVocabSize());
    }
  }

  @Override
  public final TokenizerOptions options() {
    return options;
  }

  @Override
  public final Vocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public final int[] encode(String text) {
    return encode(text, false);
  }

  @Override
  public final int[] encodeStrict(String text) {
    return encode(text, true);
  }

  /**
   * The ids of {@code text}; a token outside the vocabulary becomes {@code <unk>} unless {@code strict} (or the
   * tokenizer has none), then it is a {@link BadInputException} from {@link #unknown}.
   */
  abstract int[] encode(String text, boolean strict);

  /** The id an unknown token gets: {@code <unk>}'s, or -1 when {@code strict} or there is none. */
  final int unknownId(boolean strict) {
    return strict ? -1 : vocabulary.specialIdOrMinusOne(Special.UNK);
  }

  /** The error for {@code what} (say, {@code "word 'x'"}) at token {@code position}, char {@code index}. */
  final BadInputException unknown(boolean strict, String what, int position, int index) {
    return new BadInputException(getClass().getSimpleName() + "." + (strict ? "encodeStrict" : "encode") + ": "
        + what + " at position " + position + " (char index " + index + ") is not in the vocabulary"
        + (strict ? "" : " and the tokenizer has no <unk>"));
  }

  /**
   * The token of {@code ids[i]} for decoding, or null for a special that decoding drops ({@code <pad>},
   * {@code <bos>}, {@code <eos>}); throws naming an id outside the vocabulary.
   */
  final String decodedToken(int[] ids, int i) {
    int id = ids[i];
    if (id < 0 || id >= vocabulary.size()) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ".decode: id " + id + " at position " + i
          + " out of range [0, " + vocabulary.size() + ")");
    }
    boolean dropped = vocabulary.isSpecial(id, Special.PAD) || vocabulary.isSpecial(id, Special.BOS)
        || vocabulary.isSpecial(id, Special.EOS);
    return dropped ? null : vocabulary.token(id);
  }

  /**
   * What besides the options and tokens decides how this tokenizer encodes (BPE's merges and pre-tokenizer), for
   * equality; null when nothing does.
   */
  Object rules() {
    return null;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(vocabSize=" + vocabSize() + ", specials=" + options.specials()
        + ", lowercase=" + options.lowercase() + ", first tokens="
        + vocabulary.tokens().subList(0, Math.min(8, vocabSize())) + ")";
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof VocabularyTokenizer other && getClass() == other.getClass() && options.equals(other.options)
        && vocabulary.tokens().equals(other.vocabulary.tokens()) && Objects.equals(rules(), other.rules());
  }

  @Override
  public final int hashCode() {
    return Arrays.hashCode(new Object[] {getClass(), options, vocabulary.tokens(), rules()});
  }
}
