package io.spindle.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Text to token ids and back, over a fixed {@link Vocabulary} learned from text ({@link CharTokenizer#learn},
 * {@link WordTokenizer#learn}, {@link BpeTokenizer#learn}) or read from {@code tokenizer.json} ({@link #load}, format
 * in {@link TokenizerJson}; Hugging Face's byte-level BPE files are read too).
 *
 * <p>Unknown characters or words: {@link #encode} maps them to {@code <unk>} when the tokenizer has it and otherwise
 * throws; {@link #encodeStrict} always throws. (A {@link BpeTokenizer} has a token for every byte, so nothing is
 * unknown to it.) The {@link IllegalArgumentException} names the character or word and
 * its position, so a prompt with characters outside the vocabulary can be reported to the user as is.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface Tokenizer {
  /** The conventional file name of a saved tokenizer inside a model directory. */
  String FILE_NAME = "tokenizer.json";

  /** {@code "char"}, {@code "word"} or {@code "bpe"}: the {@code type} field of {@code tokenizer.json}. */
  String type();

  /** The options the tokenizer was learned with; {@link TokenizerOptions#lowercase()} also applies when encoding. */
  TokenizerOptions options();

  /** The tokens in id order, specials first. */
  Vocabulary vocabulary();

  /**
   * The ids of {@code text}, unknown characters or words mapped to {@code <unk>}; without {@code <unk>}, throws
   * {@link IllegalArgumentException} naming the first unknown one and its position. Adds no {@code <bos>} or
   * {@code <eos>}.
   */
  int[] encode(String text);

  /** Like {@link #encode} but throws on the first unknown character or word even when {@code <unk>} exists. */
  int[] encodeStrict(String text);

  /**
   * The text of {@code ids}: {@code <pad>}, {@code <bos>} and {@code <eos>} are skipped, {@code <unk>} is written as
   * its token text. Throws {@link IllegalArgumentException} for an id outside {@code [0, vocabSize())}.
   */
  String decode(int[] ids);

  default int vocabSize() {
    return vocabulary().size();
  }

  /** The id of {@code token}; throws {@link IllegalArgumentException} if it is not in the vocabulary. */
  default int id(String token) {
    return vocabulary().id(token);
  }

  /** The token with id {@code id}; throws {@link IllegalArgumentException} if the id is out of range. */
  default String token(int id) {
    return vocabulary().token(id);
  }

  /** The id of {@code special}, empty if the tokenizer does not reserve it. */
  default OptionalInt specialId(Special special) {
    return vocabulary().specialId(special);
  }

  default boolean has(Special special) {
    return specialId(special).isPresent();
  }

  /** The id of {@code <pad>} (always 0 when present); throws {@link IllegalStateException} if absent. */
  default int padId() {
    return requireSpecial(Special.PAD);
  }

  default int unkId() {
    return requireSpecial(Special.UNK);
  }

  default int bosId() {
    return requireSpecial(Special.BOS);
  }

  default int eosId() {
    return requireSpecial(Special.EOS);
  }

  /** The id of {@code special}; throws {@link IllegalStateException} naming the specials present if it is absent. */
  default int requireSpecial(Special special) {
    return specialId(special).orElseThrow(() -> new IllegalStateException(type() + " tokenizer has no "
        + special.token() + " token (its specials: " + options().specials() + ")"));
  }

  /** Writes {@code tokenizer.json} to {@code out} as UTF-8, leaving {@code out} open. */
  default void write(OutputStream out) throws IOException {
    TokenizerJson.write(this, out);
  }

  /** Writes {@code tokenizer.json} to {@code file} (typically {@code directory.resolve(FILE_NAME)}), replacing it. */
  default void save(Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      write(out);
    }
  }

  /**
   * Reads a tokenizer written by {@link #write}, leaving {@code in} open. Throws {@link IllegalArgumentException}
   * naming the problem if the JSON is malformed or does not describe a valid tokenizer.
   */
  static Tokenizer read(InputStream in) throws IOException {
    return TokenizerJson.read(in);
  }

  /**
   * This tokenizer's {@code tokenizer.json} as bytes: the form in which a tokenizer travels to Spark executors (in a
   * closure or a broadcast) and is parsed back there by {@link #fromBytes}, once per task.
   */
  default byte[] toBytes() {
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      write(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("writing tokenizer.json to memory", e);
    }
  }

  /** The tokenizer of bytes written by {@link #toBytes}. */
  static Tokenizer fromBytes(byte[] json) {
    try {
      return read(new java.io.ByteArrayInputStream(json));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("reading tokenizer.json from memory", e);
    }
  }

  /** Reads a tokenizer saved by {@link #save}. */
  static Tokenizer load(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return read(in);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage(); // the reader's messages start with the file name; the path replaces it
      throw new IllegalArgumentException(file + ": " + (message.startsWith(FILE_NAME + ": ")
          ? message.substring(FILE_NAME.length() + 2) : message), e);
    }
  }
}
