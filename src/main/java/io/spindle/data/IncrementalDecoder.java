package io.spindle.data;

/**
 * Decodes a stream of token ids piece by piece, for printing text as it is generated: the pieces returned for ids
 * {@code a, b, c, ...}, concatenated, are {@code tokenizer.decode(new int[] {a, b, c, ...})}.
 *
 * <p>A token's text can depend on the token before it ({@link WordTokenizer} puts a space between words but not
 * before closing punctuation), and skipped tokens ({@code <pad>}, {@code <bos>}, {@code <eos>}) decode to nothing,
 * so each piece is the decoding of the last token that decoded to something followed by the new one, less the
 * decoding of that last token alone. Not thread-safe.
 */
public final class IncrementalDecoder {
  private final Tokenizer tokenizer;
  private int previous = -1; // the last id whose text is not empty, or -1 before the first
  private String previousText = "";

  public IncrementalDecoder(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** The text {@code id} adds to what the ids before it decoded to. */
  public String next(int id) {
    String alone = tokenizer.decode(new int[] {id});
    if (alone.isEmpty()) {
      return "";
    }
    String piece = previous < 0 ? alone
        : tokenizer.decode(new int[] {previous, id}).substring(previousText.length());
    previous = id;
    previousText = alone;
    return piece;
  }
}
