package io.spindle.data;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Byte-level byte-pair encoding (BPE), as in GPT-2: text becomes UTF-8 bytes, and learned merges join adjacent
 * tokens into longer ones. Every byte is a token, so any text encodes and nothing is ever unknown ({@code <unk>}, if
 * reserved, is never produced).
 *
 * <p>Encoding: lowercase if {@link TokenizerOptions#lowercase()}, cut into pre-tokens by the {@link PreTokenizer},
 * write each as UTF-8 (a lone surrogate, which has no UTF-8 form, as the bytes of U+FFFD), and apply the merges to
 * each pre-token's bytes ({@link MergeTable}). The ids of a pre-token are cached (up to {@value #CACHE_SIZE}
 * pre-tokens of at most {@value #CACHED_LENGTH} chars; the cache is emptied when full), so frequent words cost a
 * lookup. Decoding joins the tokens' bytes and reads them as UTF-8, malformed sequences (ids cut inside a character)
 * becoming U+FFFD; {@code <pad>}, {@code <bos>} and {@code <eos>} are dropped, and {@code <unk>} and other literal
 * tokens are written as their text. So {@code decode(encode(s)) == s} for every string without lone surrogates
 * (and with {@code lowercase}, for every lowercase one); a lone surrogate comes back as U+FFFD.
 *
 * <p>Text is never searched for special or added tokens: {@code "<eos>"} or GPT-2's {@code "<|endoftext|>"} in a
 * text encode as ordinary characters, and such tokens enter only as ids. (Hugging Face's encoder matches added tokens
 * in the text by default; this is its {@code split_special_tokens} behaviour.)
 *
 * <p>Vocabulary: tokens are spelled by {@link ByteLevel} ({@code Ġthe} for {@code " the"}), except the specials and
 * added tokens, which are literal text. A learned tokenizer holds the specials, then the 256 bytes in byte order,
 * then the tokens of the merges in the order they were learned ({@link #learn}). A tokenizer read from a Hugging Face
 * file keeps that file's ids ({@link HuggingFaceTokenizerJson}).
 */
public final class BpeTokenizer extends VocabularyTokenizer {
  /** Most pre-tokens whose ids are cached. */
  static final int CACHE_SIZE = 1 << 16;
  /** Longest pre-token (in chars) whose ids are cached. */
  static final int CACHED_LENGTH = 64;

  private final PreTokenizer preTokenizer;
  private final List<List<String>> merges;
  private final Set<String> added;
  private final MergeTable table;
  private final int[] idOfByte = new int[256];
  /** The bytes each token decodes to (UTF-8 for literal tokens); null for the specials decoding drops. */
  private final byte[][] bytesOfId;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  /**
   * A tokenizer over {@code learned} tokens (after the specials, in id order) with {@code merges} (pairs of tokens,
   * in rank order) and {@code preTokenizer}; the tokens in {@code added} are literal text, the others byte
   * spellings. Throws {@link IllegalArgumentException} naming the problem: a token that spells no bytes, a byte
   * without its token, a merge whose parts or result are not tokens, a merge given twice, an added token that is not
   * in {@code learned}.
   */
  public BpeTokenizer(TokenizerOptions options, List<String> learned, List<List<String>> merges,
      PreTokenizer preTokenizer, Set<String> added) {
    super(options, learned);
    this.preTokenizer = preTokenizer;
    this.merges = List.copyOf(merges.stream().map(List::copyOf).toList());
    this.added = Collections.unmodifiableSet(new LinkedHashSet<>(added));
    Vocabulary vocabulary = vocabulary();
    for (String token : this.added) {
      if (!learned.contains(token)) {
        throw new IllegalArgumentException("BpeTokenizer: added token " + Vocabulary.quote(token)
            + " is not in the vocabulary (after the specials)");
      }
    }
    bytesOfId = new byte[vocabulary.size()][];
    Arrays.fill(idOfByte, -1);
    for (int id = 0; id < vocabulary.size(); id++) {
      String token = vocabulary.token(id);
      if (id < vocabulary.numSpecials() || this.added.contains(token)) {
        boolean dropped = vocabulary.isSpecial(id, Special.PAD) || vocabulary.isSpecial(id, Special.BOS)
            || vocabulary.isSpecial(id, Special.EOS);
        bytesOfId[id] = dropped ? null : ByteLevel.utf8(token);
        continue;
      }
      byte[] bytes = ByteLevel.unspell(token);
      if (bytes == null || bytes.length == 0) {
        throw new IllegalArgumentException("BpeTokenizer: token " + id + " " + Vocabulary.quote(token)
            + " is not a byte-level token (each character must spell one byte)");
      }
      bytesOfId[id] = bytes;
      if (bytes.length == 1) {
        idOfByte[bytes[0] & 0xff] = id;
      }
    }
    for (int b = 0; b < 256; b++) {
      if (idOfByte[b] < 0) {
        throw new IllegalArgumentException("BpeTokenizer: the vocabulary has no token for byte 0x"
            + String.format("%02X", b) + " (" + Vocabulary.quote(String.valueOf(ByteLevel.charOf(b)))
            + "); every byte needs one");
      }
    }
    int[] left = new int[this.merges.size()];
    int[] right = new int[left.length];
    int[] result = new int[left.length];
    for (int r = 0; r < left.length; r++) {
      List<String> pair = this.merges.get(r);
      if (pair.size() != 2) {
        throw new IllegalArgumentException("BpeTokenizer: merge " + r + " has " + pair.size() + " parts, not 2");
      }
      left[r] = mergePart(r, pair.get(0));
      right[r] = mergePart(r, pair.get(1));
      result[r] = mergePart(r, pair.get(0) + pair.get(1));
    }
    try {
      table = new MergeTable(left, right, result);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("BpeTokenizer: " + e.getMessage(), e);
    }
  }

  private int mergePart(int rank, String token) {
    int id = vocabulary().idOrMinusOne(token);
    if (id < 0 || bytesOfId[id] == null || id < vocabulary().numSpecials() || added.contains(token)) {
      throw new IllegalArgumentException("BpeTokenizer: merge " + rank + " " + merges.get(rank) + " needs "
          + Vocabulary.quote(token) + ", which is not a byte-level token of the vocabulary");
    }
    return id;
  }

  /**
   * Learns merges from {@code texts} pre-tokenized by {@link PreTokenizer#LINES}: the same as
   * {@link #fromCounts}{@code (}{@link #count}{@code (texts, options), options)}.
   */
  public static BpeTokenizer learn(Iterable<String> texts, TokenizerOptions options) {
    return fromCounts(count(texts, options), options);
  }

  /** {@link #learn(Iterable, TokenizerOptions)} over a stream, consuming it. */
  public static BpeTokenizer learn(Stream<String> texts, TokenizerOptions options) {
    return learn(texts::iterator, options);
  }

  /**
   * How often each pre-token of {@code texts} ({@link PreTokenizer#LINES}, after lowercasing if
   * {@code options.lowercase()}) occurs. Counts of separate texts add up to the counts of the whole, and since a line
   * break is a pre-token of its own, so do the counts of a text's lines plus one {@code "\n"} per line break: a corpus
   * can be counted in pieces (on Spark executors, say), the maps merged by summing, and {@link #fromCounts} learns
   * exactly what {@link #learn} learns from the whole.
   */
  public static Map<String, Long> count(Iterable<String> texts, TokenizerOptions options) {
    Map<String, Long> counts = new HashMap<>();
    for (String text : texts) {
      String s = options.lowercase() ? text.toLowerCase(Locale.ROOT) : text;
      PreTokenizer.LINES.forEach(s, (from, to) -> counts.merge(s.substring(from, to), 1L, Long::sum));
    }
    return counts;
  }

  /**
   * The tokenizer {@link #learn} would build from a corpus with these pre-token counts (as {@link #count} gives
   * them): the specials, the 256 bytes, then merges learned by {@link BpeLearner}'s rule until the vocabulary holds
   * {@code options.maxVocabSize()} tokens or no pair of tokens occurs {@code options.minCount()} times. Throws
   * {@link IllegalArgumentException} if {@code maxVocabSize} leaves no room for the 256 bytes.
   */
  public static BpeTokenizer fromCounts(Map<String, Long> counts, TokenizerOptions options) {
    long room = (long) options.maxVocabSize() - options.specials().size();
    if (room < 256) {
      throw new IllegalArgumentException("BpeTokenizer: maxVocabSize " + options.maxVocabSize() + " leaves no room"
          + " for the 256 byte tokens after " + options.specials().size() + " special tokens (use at least "
          + (256 + options.specials().size()) + ")");
    }
    BpeLearner.Learned learned = BpeLearner.learn(counts, options.minCount(), room);
    List<List<String>> merges = new ArrayList<>(learned.left().length);
    for (int r = 0; r < learned.left().length; r++) {
      merges.add(List.of(learned.tokens().get(learned.left()[r]), learned.tokens().get(learned.right()[r])));
    }
    return new BpeTokenizer(options, learned.tokens(), merges, PreTokenizer.LINES, Set.of());
  }

  @Override
  public String type() {
    return "bpe";
  }

  /** How text is cut before merging. */
  public PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  /** The merges in rank order, each the pair of tokens it joins; unmodifiable. */
  public List<List<String>> merges() {
    return merges;
  }

  /** The tokens besides the specials that are literal text rather than byte spellings (from Hugging Face files). */
  public Set<String> addedTokens() {
    return added;
  }

  /** Writes this tokenizer in Hugging Face's {@code tokenizer.json} format to {@code out}, leaving it open. */
  public void writeHuggingFace(OutputStream out) throws IOException {
    HuggingFaceTokenizerJson.write(this, out);
  }

  @Override
  int[] encode(String text, boolean strict) {
    String s = options().lowercase() ? text.toLowerCase(Locale.ROOT) : text;
    Encoding encoding = new Encoding(s.length());
    preTokenizer.forEach(s, (from, to) -> encoding.add(s, from, to));
    return Arrays.copyOf(encoding.ids, encoding.size);
  }

  /** The ids of the pre-token {@code s[from, to)}: its UTF-8 bytes' tokens, merged. */
  private int[] merge(String s, int from, int to) {
    byte[] bytes = new byte[3 * (to - from)];
    int n = ByteLevel.utf8(s, from, to, bytes);
    int[] symbols = new int[n];
    for (int i = 0; i < n; i++) {
      symbols[i] = idOfByte[bytes[i] & 0xff];
    }
    return Arrays.copyOf(symbols, table.apply(symbols, n));
  }

  /** The ids of one encode call, growing as pre-tokens are added. */
  private final class Encoding {
    int[] ids;
    int size;

    Encoding(int chars) {
      ids = new int[Math.max(16, chars / 3)];
    }

    void add(String s, int from, int to) {
      int[] merged;
      if (to - from <= CACHED_LENGTH) {
        String piece = s.substring(from, to);
        merged = cache.get(piece);
        if (merged == null) {
          merged = merge(s, from, to);
          if (cache.size() >= CACHE_SIZE) {
            cache.clear();
          }
          cache.put(piece, merged);
        }
      } else {
        merged = merge(s, from, to);
      }
      if (size + merged.length > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(2 * ids.length, size + merged.length));
      }
      System.arraycopy(merged, 0, ids, size, merged.length);
      size += merged.length;
    }
  }

  @Override
  public String decode(int[] ids) {
    byte[] out = new byte[Math.max(16, ids.length * 4)];
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      if (decodedToken(ids, i) == null) {
        continue;
      }
      byte[] bytes = bytesOfId[ids[i]];
      if (n + bytes.length > out.length) {
        out = Arrays.copyOf(out, Math.max(2 * out.length, n + bytes.length));
      }
      System.arraycopy(bytes, 0, out, n, bytes.length);
      n += bytes.length;
    }
    return ByteLevel.text(out, n);
  }

  /** The tokens of the ids, for messages and tests: {@code ["Hello", "Ġworld"]}. */
  public List<String> tokens(int[] ids) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      tokens.add(token(id));
    }
    return tokens;
  }

  @Override
  Object rules() {
    return List.of(preTokenizer.regex(), merges, added);
  }
}
