package io.spindle.data;

import java.util.Locale;

/**
 * The special tokens a tokenizer may reserve. Those present take the first ids, in this enum's order: with all four,
 * {@code <pad>} = 0, {@code <unk>} = 1, {@code <bos>} = 2, {@code <eos>} = 3; with only pad and eos, {@code <pad>} = 0
 * and {@code <eos>} = 1. Learned tokens follow.
 */
public enum Special {
  /** Fills the tail of short sequences in a padded batch; id 0 whenever it is present. */
  PAD("<pad>"),
  /** Stands in for characters or words outside the vocabulary. */
  UNK("<unk>"),
  /** Begins a sequence (the first decoder input in translation). */
  BOS("<bos>"),
  /** Ends a sequence (the last decoder target in translation). */
  EOS("<eos>");

  private final String token;

  Special(String token) {
    this.token = token;
  }

  /** The token's text in the vocabulary, e.g. {@code <pad>}. */
  public String token() {
    return token;
  }

  /** The name used in {@code tokenizer.json}: {@code pad}, {@code unk}, {@code bos}, {@code eos}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The special whose {@link #jsonName()} is {@code name}; throws naming the unknown name otherwise. */
  public static Special fromJsonName(String name) {
    for (Special s : values()) {
      if (s.jsonName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown special token '" + name + "' (expected pad, unk, bos or eos)");
  }
}
