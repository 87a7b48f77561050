package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CharTokenizerTest {
  private static final TokenizerOptions ALL = TokenizerOptions.defaults();

  @Test
  void specialsComeFirstThenMostFrequentWithTiesInCodePointOrder() {
    // counts: a=3, b=2, c=2, d=1; b and c tie and are ordered by code point
    CharTokenizer t = CharTokenizer.learn(List.of("abca", "cbad"), ALL);
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c", "d"), t.vocabulary().tokens());
    assertEquals(0, t.padId());
    assertEquals(1, t.unkId());
    assertEquals(2, t.bosId());
    assertEquals(3, t.eosId());
    assertEquals(8, t.vocabSize());
    assertEquals(4, t.id("a"));
    assertEquals("d", t.token(7));
  }

  @Test
  void specialIdsFollowTheFixedOrderOfThosePresent() {
    CharTokenizer t = CharTokenizer.learn(List.of("xy"), ALL.withSpecials(Special.EOS, Special.PAD));
    assertEquals(0, t.padId());
    assertEquals(1, t.eosId());
    assertFalse(t.has(Special.UNK));
    IllegalStateException e = assertThrows(IllegalStateException.class, t::bosId);
    assertTrue(e.getMessage().contains("<bos>"), e.getMessage());
    assertEquals(List.of("<pad>", "<eos>", "x", "y"), t.vocabulary().tokens());
  }

  @Test
  void learningIsReproducibleWhateverTheInputOrder() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      texts.add("line " + i + " zyx wvu " + (char) ('a' + i % 26));
    }
    CharTokenizer first = CharTokenizer.learn(texts, ALL);
    Collections.shuffle(texts, new Random(7));
    CharTokenizer second = CharTokenizer.learn(texts.stream(), ALL);
    assertEquals(first.vocabulary().tokens(), second.vocabulary().tokens());
    assertEquals(first, second);
  }

  @Test
  void minCountAndMaxVocabSizeKeepTheMostFrequent() {
    // a=4, b=3, c=2, d=1
    List<String> texts = List.of("aaaa", "bbb", "cc", "d");
    CharTokenizer minCount = CharTokenizer.learn(texts, ALL.withMinCount(2));
    assertEquals(List.of("a", "b", "c"), learned(minCount));
    CharTokenizer capped = CharTokenizer.learn(texts, ALL.withMaxVocabSize(6));
    assertEquals(List.of("a", "b"), learned(capped));
    assertEquals(6, capped.vocabSize());
    assertEquals(capped.unkId(), capped.encode("d")[0]);
  }

  @Test
  void roundTripsTextIncludingCodePointsBeyondTheBmp() {
    String text = "╔═╗ box 😀 and 𝔘 emoji\n";
    CharTokenizer t = CharTokenizer.learn(List.of(text), ALL);
    int[] ids = t.encode(text);
    assertEquals(text.codePointCount(0, text.length()), ids.length);
    assertEquals(text, t.decode(ids));
    assertTrue(t.vocabulary().contains("😀"));
    assertEquals("😀", t.token(t.encode("😀")[0]));
  }

  @Test
  void unknownCharactersMapToUnkOrThrowNamingCharacterAndPosition() {
    CharTokenizer withUnk = CharTokenizer.learn(List.of("abc"), ALL);
    assertArrayEquals(new int[] {4, 1, 5}, withUnk.encode("a😀b"));
    IllegalArgumentException strict = assertThrows(IllegalArgumentException.class, () -> withUnk.encodeStrict("ab😀"));
    assertTrue(strict.getMessage().contains("U+1F600"), strict.getMessage());
    assertTrue(strict.getMessage().contains("position 2"), strict.getMessage());

    CharTokenizer noUnk = CharTokenizer.learn(List.of("abc"), ALL.withSpecials(Special.PAD));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noUnk.encode("😀"));
    assertTrue(e.getMessage().contains("U+1F600"), e.getMessage());
    // position counts code points: the emoji before 'é' is one code point but two chars
    IllegalArgumentException later = assertThrows(IllegalArgumentException.class,
        () -> CharTokenizer.learn(List.of("ab😀"), ALL.withSpecials()).encode("a😀bé"));
    assertTrue(later.getMessage().contains("'é' (U+00E9)"), later.getMessage());
    assertTrue(later.getMessage().contains("position 3 (char index 4)"), later.getMessage());
  }

  @Test
  void decodeSkipsPadBosEosAndWritesUnk() {
    CharTokenizer t = CharTokenizer.learn(List.of("hi"), ALL);
    int[] ids = {t.bosId(), t.id("h"), t.unkId(), t.id("i"), t.eosId(), t.padId(), t.padId()};
    assertEquals("h<unk>i", t.decode(ids));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {0, 99}));
    assertTrue(e.getMessage().contains("99") && e.getMessage().contains("position 1"), e.getMessage());
  }

  @Test
  void lowercaseFoldsWhenLearningAndEncoding() {
    CharTokenizer t = CharTokenizer.learn(Stream.of("AbC", "abc"), ALL.withLowercase(true).withSpecials());
    assertEquals(List.of("a", "b", "c"), t.vocabulary().tokens());
    assertArrayEquals(t.encode("abc"), t.encode("ABC"));
  }

  @Test
  void rejectsBadOptionsAndBadTokens() {
    assertThrows(IllegalArgumentException.class, () -> ALL.withMinCount(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ALL.withMaxVocabSize(4));
    assertTrue(e.getMessage().contains("maxVocabSize 4"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CharTokenizer(ALL, List.of("ab")));
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> new CharTokenizer(ALL, List.of("a", "b", "a")));
    assertTrue(dup.getMessage().contains("'a' at ids 4 and 6"), dup.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t().id("zz"));
    assertThrows(IllegalArgumentException.class, () -> t().token(-1));
  }

  private static CharTokenizer t() {
    return CharTokenizer.learn(List.of("a"), ALL);
  }

  private static List<String> learned(Tokenizer t) {
    List<String> tokens = t.vocabulary().tokens();
    return tokens.subList(t.vocabulary().numSpecials(), tokens.size());
  }
}
