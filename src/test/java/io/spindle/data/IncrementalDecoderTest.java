package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pieces, concatenated, are the whole decoding, whatever the ids: specials, punctuation, unknowns. */
class IncrementalDecoderTest {
  private static void assertPiecesMakeTheWhole(Tokenizer tokenizer, Random rnd) {
    for (int trial = 0; trial < 200; trial++) {
      int[] ids = new int[rnd.nextInt(12)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = rnd.nextInt(tokenizer.vocabSize());
      }
      IncrementalDecoder decoder = new IncrementalDecoder(tokenizer);
      StringBuilder pieces = new StringBuilder();
      for (int id : ids) {
        pieces.append(decoder.next(id));
      }
      assertEquals(tokenizer.decode(ids), pieces.toString(), Arrays.toString(ids));
    }
  }

  @Test
  void wordPiecesKeepTheSpacingRules() {
    WordTokenizer words = WordTokenizer.learn(List.of("the cat ( sat ) on the mat . really , yes ! \" quoted \""),
        TokenizerOptions.defaults());
    assertPiecesMakeTheWhole(words, new Random(1));
  }

  @Test
  void characterPiecesAreTheCharacters() {
    CharTokenizer chars = CharTokenizer.learn(List.of("hello, world 😀"), TokenizerOptions.defaults());
    assertPiecesMakeTheWhole(chars, new Random(2));
  }
}
