package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {
  private static final TokenizerOptions ALL = TokenizerOptions.defaults();

  @Test
  void splitsWordsAndPunctuationAndDropsWhitespace() {
    assertEquals(List.of("Don't", "panic", ",", "it's", "(", "only", ")", "1984", "!", "😀"),
        WordTokenizer.split("Don't panic,\tit's (only)\u00a01984!  😀\n", false));
    assertEquals(List.of("café", "naïve"), WordTokenizer.split("Café NAÏVE", true));
  }

  @Test
  void learnsMostFrequentFirstWithTiesInStringOrder() {
    // the=3, cat=2, sat=2, a=1, mat=1, on=1, .=2
    WordTokenizer t = WordTokenizer.learn(List.of("the cat sat.", "the cat sat on the mat."), ALL);
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", ".", "cat", "sat", "mat", "on"),
        t.vocabulary().tokens());
    WordTokenizer capped = WordTokenizer.learn(List.of("the cat sat.", "the cat sat on the mat."),
        ALL.withMaxVocabSize(7).withMinCount(2));
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "the", ".", "cat"), capped.vocabulary().tokens());
  }

  @Test
  void decodeJoinsWithSpacesButNotBeforeClosingPunctuation() {
    String text = "Hello, world (again)! It's 42%.";
    WordTokenizer t = WordTokenizer.learn(List.of(text), ALL);
    assertEquals(text, t.decode(t.encode(text)));
    assertEquals("Hello world", t.decode(t.encode("Hello\n\n   world")));
  }

  @Test
  void unknownWordsMapToUnkOrThrowNamingWordAndPosition() {
    WordTokenizer t = WordTokenizer.learn(List.of("a b c"), ALL);
    assertArrayEquals(new int[] {t.id("a"), t.unkId(), t.id("c")}, t.encode("a zebra c"));
    IllegalArgumentException strict = assertThrows(IllegalArgumentException.class, () -> t.encodeStrict("a zebra"));
    assertTrue(strict.getMessage().contains("'zebra' at position 1 (char index 2)"), strict.getMessage());

    WordTokenizer noUnk = WordTokenizer.learn(List.of("a b c"), ALL.withSpecials(Special.PAD, Special.EOS));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noUnk.encode("b c dog"));
    assertTrue(e.getMessage().contains("'dog' at position 2 (char index 4)"), e.getMessage());
    assertTrue(e.getMessage().contains("no <unk>"), e.getMessage());
  }

  @Test
  void lowercaseAppliesToEncoding() {
    WordTokenizer t = WordTokenizer.learn(List.of("The THE the"), ALL.withLowercase(true));
    assertEquals(5, t.vocabSize());
    assertArrayEquals(new int[] {4, 4}, t.encodeStrict("tHe THE"));
  }

  @Test
  void rejectsTokensTheRuleCannotProduce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new WordTokenizer(ALL, List.of("two words")));
    assertTrue(e.getMessage().contains("'two words'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new WordTokenizer(ALL, List.of("")));
    assertThrows(IllegalArgumentException.class, () -> new WordTokenizer(ALL, List.of("<unk>")));
  }
}
