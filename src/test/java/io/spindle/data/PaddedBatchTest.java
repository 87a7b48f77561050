package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PaddedBatchTest {
  @Test
  void padsToTheLongestAndMarksPadding() {
    PaddedBatch p = PaddedBatch.pad(List.of(new int[] {5, 6, 7}, new int[] {8}, new int[] {}), 0, 10);
    assertEquals(3, p.batch());
    assertEquals(3, p.time());
    assertArrayEquals(new int[] {5, 6, 7, 8, 0, 0, 0, 0, 0}, p.ids());
    assertArrayEquals(new int[] {3, 1, 0}, p.lengths());
    assertArrayEquals(new boolean[] {false, false, false}, p.padding()[0]);
    assertArrayEquals(new boolean[] {false, true, true}, p.padding()[1]);
    assertArrayEquals(new boolean[] {true, true, true}, p.padding()[2]);
  }

  @Test
  void truncatesAtTheCapAndPadsToAFixedLength() {
    PaddedBatch capped = PaddedBatch.pad(List.of(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7}), 9, 3);
    assertArrayEquals(new int[] {1, 2, 3, 6, 7, 9}, capped.ids());
    assertArrayEquals(new int[] {3, 2}, capped.lengths());
    PaddedBatch fixed = PaddedBatch.padTo(List.of(new int[] {1}), 9, 4);
    assertArrayEquals(new int[] {1, 9, 9, 9}, fixed.ids());
    assertArrayEquals(new boolean[] {false, true, true, true}, fixed.padding()[0]);
    assertEquals(1, PaddedBatch.pad(List.of(new int[0]), 0, 5).time());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> PaddedBatch.pad(List.of(), 0, 4));
    assertThrows(IllegalArgumentException.class, () -> PaddedBatch.pad(List.of(new int[] {1}), -1, 4));
    assertThrows(IllegalArgumentException.class, () -> PaddedBatch.pad(List.of(new int[] {1}), 0, 0));
  }

  @Test
  void translationBatchShiftsTheTargetAndIgnoresItsPadding() {
    Tokenizer words = WordTokenizer.learn(List.of("a b c x y z"), TokenizerOptions.defaults());
    // pad 0, unk 1, bos 2, eos 3, then a..z at 4..9
    TranslationBatch t = TranslationBatch.of(
        List.of(words.encode("a b c"), words.encode("a")),
        List.of(words.encode("x y"), words.encode("z")),
        words, words, 8, 8);
    assertEquals(2, t.batch());
    assertArrayEquals(new int[] {4, 5, 6, 4, 0, 0}, t.source().ids());
    assertArrayEquals(new int[] {2, 7, 8, 2, 9, 0}, t.decoderInput().ids());
    assertArrayEquals(new int[] {7, 8, 3, 9, 3, Batch.IGNORE}, t.decoderTargets());
    assertArrayEquals(new boolean[] {false, false, true}, t.decoderInput().padding()[1]);
    assertEquals(Batch.IGNORE, t.decoderTarget(1, 2));
    // inside a row, each target is the next decoder input
    assertEquals(t.decoderInput().id(0, 1), t.decoderTarget(0, 0));
  }

  @Test
  void translationBatchTruncatesAndChecksSpecials() {
    Tokenizer words = WordTokenizer.learn(List.of("a b c"), TokenizerOptions.defaults());
    TranslationBatch cut = TranslationBatch.of(List.of(words.encode("a b c")), List.of(words.encode("a b c")),
        words, words, 2, 2);
    assertArrayEquals(new int[] {4, 5}, cut.source().ids());
    assertArrayEquals(new int[] {2, 4}, cut.decoderInput().ids());
    assertArrayEquals(new int[] {4, 5}, cut.decoderTargets());

    Tokenizer noBos = WordTokenizer.learn(List.of("a"), TokenizerOptions.defaults().withSpecials(Special.PAD));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TranslationBatch.of(List.of(new int[] {1}), List.of(new int[] {1}), noBos, noBos, 4, 4));
    assertTrue(e.getMessage().contains("target tokenizer has no <bos>"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TranslationBatch.of(List.of(new int[] {1}), List.of(), words, words, 4, 4));
  }
}
