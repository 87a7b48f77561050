package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BpeTokenizer} against the rules its javadoc states: merges learned as a from-scratch recount would learn
 * them, encoding as GPT-2's "merge the best pair everywhere" loop would encode, and decoding back to the text.
 */
class BpeTokenizerTest {
  static final Path JARGON = Path.of("/usr/share/doc/jargon-text/jargon.txt.gz");
  private static final TokenizerOptions ALL = TokenizerOptions.defaults();
  private static String jargon;

  @BeforeAll
  static void read() throws IOException {
    assumeTrue(Files.isReadable(JARGON), "jargon-text is not installed");
    jargon = Texts.read(JARGON).substring(0, 20_000);
  }

  @Test
  void learnsTheMostFrequentPairFirstWithTiesToTheEarlierMadeLeftToken() {
    // pre-tokens "ab", " ab", " ab", " ac": (Ġ,a)=3 and (a,b)=3 tie, and Ġ (byte 0x20) was made before a (0x61);
    // then (Ġa,b)=2; then (a,b)=1 and (Ġa,c)=1 tie, and a was made before Ġa.
    BpeTokenizer t = BpeTokenizer.learn(List.of("ab ab ab ac"), ALL);
    assertEquals(List.of(List.of("Ġ", "a"), List.of("Ġa", "b"), List.of("a", "b"), List.of("Ġa", "c")), t.merges());
    assertEquals(List.of("Ġa", "Ġab", "ab", "Ġac"), t.vocabulary().tokens().subList(4 + 256, t.vocabSize()));
    assertEquals(List.of("<pad>", "<unk>", "<bos>", "<eos>", "Ā", "ā"), t.vocabulary().tokens().subList(0, 6));
    assertEquals(List.of("ab", "Ġab", "Ġac"), t.tokens(t.encode("ab ab ac")));

    BpeTokenizer frequentOnly = BpeTokenizer.learn(List.of("ab ab ab ac"), ALL.withMinCount(2));
    assertEquals(List.of(List.of("Ġ", "a"), List.of("Ġa", "b")), frequentOnly.merges());
    BpeTokenizer capped = BpeTokenizer.learn(List.of("ab ab ab ac"), ALL.withMaxVocabSize(4 + 256 + 1));
    assertEquals(List.of(List.of("Ġ", "a")), capped.merges());
    assertEquals(4 + 256 + 1, capped.vocabSize());
    assertThrows(IllegalArgumentException.class,
        () -> BpeTokenizer.learn(List.of("ab"), ALL.withMaxVocabSize(4 + 255)));
  }

  @Test
  void learnsWhatRecountingEveryRoundLearns() {
    TokenizerOptions options = ALL.withMaxVocabSize(4 + 256 + 300).withMinCount(2);
    Map<String, Long> counts = BpeTokenizer.count(List.of(jargon), options);
    BpeTokenizer t = BpeTokenizer.fromCounts(counts, options);
    List<List<String>> expected = recountedMerges(counts, 2, 256 + 300);
    assertEquals(expected.size(), t.merges().size());
    assertEquals(expected, t.merges());
    assertEquals(4 + 256 + 300, t.vocabSize());
  }

  @Test
  void encodesAsMergingTheBestPairEverywhereWould() {
    BpeTokenizer t = BpeTokenizer.learn(List.of(jargon), ALL.withMaxVocabSize(1000));
    String text = jargon.substring(5_000, 9_000) + " Straße ½ 𝒳 ✓ aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    List<String> expected = new ArrayList<>();
    for (String piece : PreTokenizer.LINES.split(text)) {
      expected.addAll(bestPairEverywhere(t.merges(), piece));
    }
    assertEquals(expected, t.tokens(t.encode(text)));
    assertEquals(expected, t.tokens(t.encode(text)), "the second time, from the cache");
    assertTrue(expected.size() < text.getBytes(StandardCharsets.UTF_8).length / 2, "merges shorten the text");
  }

  @Test
  void decodingEncodedTextGivesItBackForArbitraryUnicode() {
    BpeTokenizer t = BpeTokenizer.learn(List.of(jargon), ALL.withMaxVocabSize(600));
    Random random = new Random(11);
    int[] pool = {'a', 'Z', ' ', ' ', '\n', '\t', '\r', '0', '\'', '.', '(', 0xE9, 0x301, 0xA0, 0x85, 0x3000, 0x4E2D,
        0xFFFD, 0x1F600, 0x1D4B3, 0x10FFFF};
    for (int trial = 0; trial < 500; trial++) {
      StringBuilder sb = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        int cp = random.nextBoolean() ? pool[random.nextInt(pool.length)] : random.nextInt(0x110000);
        sb.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000 ? 'x' : cp);
      }
      String s = sb.toString();
      int[] ids = t.encode(s);
      assertEquals(s, t.decode(ids), () -> "round trip of " + s.codePoints().mapToObj(Integer::toHexString).toList());
      assertArrayEquals(ids, t.encodeStrict(s));
    }
  }

  @Test
  void loneSurrogatesEncodeAsTheReplacementCharacter() {
    BpeTokenizer t = BpeTokenizer.learn(List.of(jargon), ALL.withMaxVocabSize(600));
    assertArrayEquals(t.encode("a\uFFFDb"), t.encode("a\uD83Db"));
    assertEquals("a\uFFFDb", t.decode(t.encode("a\uD83Db")));
    assertEquals("\uFFFD\uFFFD x \uFFFD", t.decode(t.encode("\uDE00\uD83D x \uD83D")));
    assertEquals("😀", t.decode(t.encode("\uD83D\uDE00")), "a valid pair stays one character");
  }

  @Test
  void decodingDropsPaddingAndMarkersAndReplacesCutCharacters() {
    BpeTokenizer t = BpeTokenizer.learn(List.of("ï ï"), ALL);
    int[] ids = t.encode("ï");
    assertEquals(List.of("Ã¯"), t.tokens(ids), "ï is C3 AF, spelled Ã¯");
    int c3 = t.id("Ã");
    assertEquals("\uFFFDx", t.decode(new int[] {t.bosId(), c3, t.id("x"), t.padId(), t.eosId()}));
    assertEquals("<unk>", t.decode(new int[] {t.unkId()}));
    assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {t.vocabSize()}));
  }

  @Test
  void lowercaseAppliesWhenLearningAndEncoding() {
    BpeTokenizer t = BpeTokenizer.learn(List.of("The THE the"), ALL.withLowercase(true));
    assertArrayEquals(t.encode(" the"), t.encode(" THE"));
    assertEquals(List.of("Ġthe"), t.tokens(t.encode(" ThE")));
  }

  @Test
  void countsOfLinesPlusOneNewlinePerBreakAreTheCountsOfTheJoinedText() {
    String text = jargon.substring(0, jargon.lastIndexOf('\n'));
    List<String> lines = Arrays.asList(text.split("\n", -1));
    Map<String, Long> summed = new HashMap<>(BpeTokenizer.count(lines, ALL));
    summed.merge("\n", (long) lines.size() - 1, Long::sum);
    assertEquals(BpeTokenizer.count(List.of(text), ALL), summed);
    assertTrue(text.contains("  \n") || text.contains("\n\n"), "the slice has runs of whitespace across lines");
  }

  @Test
  void splitsLikeGpt2ExceptThatEveryLineBreakStandsAlone() {
    String text = "Hello world's  end\n\n  x1984!?";
    assertEquals(List.of("Hello", " world", "'s", " ", " end", "\n\n ", " x", "1984", "!?"),
        PreTokenizer.GPT2.split(text));
    assertEquals(List.of("Hello", " world", "'s", " ", " end", "\n", "\n", " ", " x", "1984", "!?"),
        PreTokenizer.LINES.split(text));
    assertEquals(List.of("a", "\u3000", " b"), PreTokenizer.GPT2.split("a\u3000 b"), "\\s is Unicode whitespace");
  }

  @Test
  void scanAndHeapMergeAlike() {
    BpeTokenizer t = BpeTokenizer.learn(List.of(jargon), ALL.withMaxVocabSize(800));
    MergeTable table = mergeTable(t);
    Random random = new Random(3);
    byte[] bytes = jargon.getBytes(StandardCharsets.UTF_8);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + random.nextInt(200);
      int from = random.nextInt(bytes.length - n);
      int[] symbols = new int[n];
      for (int i = 0; i < n; i++) {
        symbols[i] = t.id(String.valueOf(ByteLevel.charOf(bytes[from + i])));
      }
      int[] byScan = symbols.clone();
      int[] byHeap = symbols.clone();
      int m = table.applyByScan(byScan, n);
      assertEquals(m, table.applyByHeap(byHeap, n));
      assertArrayEquals(Arrays.copyOf(byScan, m), Arrays.copyOf(byHeap, m));
    }
  }

  @Test
  void survivesWriteAndRead() throws IOException {
    BpeTokenizer t = BpeTokenizer.learn(List.of(jargon), ALL.withMaxVocabSize(500).withSpecials(Special.PAD));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    t.write(out);
    Tokenizer loaded = Tokenizer.read(new ByteArrayInputStream(out.toByteArray()));
    assertInstanceOf(BpeTokenizer.class, loaded);
    assertEquals(t, loaded);
    assertArrayEquals(t.encode(jargon), loaded.encode(jargon));
    assertEquals(t, Tokenizer.fromBytes(t.toBytes()));
    BpeTokenizer fewerMerges = new BpeTokenizer(t.options(), t.vocabulary().tokens().subList(1, t.vocabSize()),
        t.merges().subList(0, t.merges().size() - 1), t.preTokenizer(), java.util.Set.of());
    assertNotEquals(t, fewerMerges, "the merges are part of a tokenizer's identity");
  }

  private static MergeTable mergeTable(BpeTokenizer t) {
    int n = t.merges().size();
    int[] left = new int[n];
    int[] right = new int[n];
    int[] result = new int[n];
    for (int r = 0; r < n; r++) {
      List<String> merge = t.merges().get(r);
      left[r] = t.id(merge.get(0));
      right[r] = t.id(merge.get(1));
      result[r] = t.id(merge.get(0) + merge.get(1));
    }
    return new MergeTable(left, right, result);
  }

  /** The byte spelling of GPT-2, written out again from its definition for an independent check. */
  static String spell(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte value : bytes) {
      int b = value & 0xff;
      if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE)) {
        sb.append((char) b);
      } else {
        int rank = 0;
        for (int c = 0; c < b; c++) {
          rank += (c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE) ? 0 : 1;
        }
        sb.append((char) (0x100 + rank));
      }
    }
    return sb.toString();
  }

  /** GPT-2's encoding of one pre-token: merge every occurrence of the lowest-ranked pair, left to right, repeatedly. */
  static List<String> bestPairEverywhere(List<List<String>> merges, String piece) {
    Map<List<String>, Integer> ranks = new HashMap<>();
    for (int r = 0; r < merges.size(); r++) {
      ranks.put(merges.get(r), r);
    }
    List<String> word = new ArrayList<>();
    spell(piece.getBytes(StandardCharsets.UTF_8)).chars().forEach(c -> word.add(String.valueOf((char) c)));
    while (word.size() > 1) {
      List<String> best = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        List<String> pair = List.of(word.get(i), word.get(i + 1));
        if (ranks.containsKey(pair) && (best == null || ranks.get(pair) < ranks.get(best))) {
          best = pair;
        }
      }
      if (best == null) {
        break;
      }
      mergeEverywhere(word, best);
    }
    return word;
  }

  private static void mergeEverywhere(List<String> word, List<String> pair) {
    for (int i = 0; i + 1 < word.size(); i++) {
      if (word.get(i).equals(pair.get(0)) && word.get(i + 1).equals(pair.get(1))) {
        word.set(i, pair.get(0) + pair.get(1));
        word.remove(i + 1);
      }
    }
  }

  /**
   * Merges learned by recounting every pair of every pre-token each round: the most frequent pair, ties to the pair
   * whose left, then right, token was made first; until {@code maxTokens} tokens or fewer than {@code minCount}.
   */
  static List<List<String>> recountedMerges(Map<String, Long> counts, long minCount, int maxTokens) {
    List<String> made = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      made.add(spell(new byte[] {(byte) b}));
    }
    List<List<String>> words = new ArrayList<>();
    List<Long> weights = new ArrayList<>();
    counts.forEach((piece, n) -> {
      List<String> word = new ArrayList<>();
      spell(piece.getBytes(StandardCharsets.UTF_8)).chars().forEach(c -> word.add(String.valueOf((char) c)));
      words.add(word);
      weights.add(n);
    });
    List<List<String>> merges = new ArrayList<>();
    while (made.size() < maxTokens) {
      Map<List<String>, Long> pairs = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        List<String> word = words.get(w);
        for (int i = 0; i + 1 < word.size(); i++) {
          pairs.merge(List.of(word.get(i), word.get(i + 1)), weights.get(w), Long::sum);
        }
      }
      List<String> best = null;
      for (Map.Entry<List<String>, Long> e : pairs.entrySet()) {
        List<String> p = e.getKey();
        if (best == null || e.getValue() > pairs.get(best) || (e.getValue().equals(pairs.get(best))
            && (made.indexOf(p.get(0)) < made.indexOf(best.get(0)) || (p.get(0).equals(best.get(0))
            && made.indexOf(p.get(1)) < made.indexOf(best.get(1)))))) {
          best = p;
        }
      }
      if (best == null || pairs.get(best) < minCount) {
        break;
      }
      merges.add(best);
      if (!made.contains(best.get(0) + best.get(1))) {
        made.add(best.get(0) + best.get(1));
      }
      for (List<String> word : words) {
        mergeEverywhere(word, best);
      }
    }
    return merges;
  }
}
