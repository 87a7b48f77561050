package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A byte-level BPE {@code tokenizer.json} in Hugging Face's format, written here the way GPT-2's is laid out (the 256
 * byte tokens in GPT-2's order, then the merges' tokens, then {@code <|endoftext|>} as an added token), read and
 * encoded by the rule of byte-level BPE; and both formats written and read back.
 */
class HuggingFaceTokenizerJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Ten merges, in rank order. */
  private static final List<String> MERGES = List.of("Ġ t", "h e", "Ġt he", "l l", "e ll", "h ell", "hell o",
      "Ġ w", "o r", "Ġw or");

  /** GPT-2's vocabulary layout: bytes printable as themselves first, then the others; then the merges' tokens. */
  private static Map<String, Integer> vocab() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    List<Integer> order = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE) {
        order.add(b);
      }
    }
    for (int b = 0; b < 256; b++) {
      if (!order.contains(b)) {
        order.add(b);
      }
    }
    for (int b : order) {
      vocab.put(BpeTokenizerTest.spell(new byte[] {(byte) b}), vocab.size());
    }
    for (String merge : MERGES) {
      vocab.put(merge.replace(" ", ""), vocab.size());
    }
    vocab.put("<|endoftext|>", vocab.size());
    return vocab;
  }

  /** The file, {@code edit} applied to its tree; merges as {@code "a b"} strings or as pairs. */
  private static byte[] gpt2Style(boolean mergesAsPairs, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0").putNull("truncation").putNull("padding");
    root.putArray("added_tokens").addObject().put("id", 266).put("content", "<|endoftext|>")
        .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", true)
        .put("special", true);
    root.putNull("normalizer");
    root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false)
        .put("trim_offsets", true).put("use_regex", true);
    root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true)
        .put("trim_offsets", false).put("use_regex", true);
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token").put("continuing_subword_prefix", "")
        .put("end_of_word_suffix", "").put("fuse_unk", false);
    ObjectNode vocab = model.putObject("vocab");
    vocab().forEach(vocab::put);
    ArrayNode merges = model.putArray("merges");
    for (String merge : MERGES) {
      if (mergesAsPairs) {
        merges.addArray().add(merge.split(" ")[0]).add(merge.split(" ")[1]);
      } else {
        merges.add(merge);
      }
    }
    edit.accept(root);
    return JSON.writeValueAsBytes(root);
  }

  private static Tokenizer read(byte[] json) throws IOException {
    return Tokenizer.read(new ByteArrayInputStream(json));
  }

  private static int[] ids(String... tokens) {
    Map<String, Integer> vocab = vocab();
    return List.of(tokens).stream().mapToInt(vocab::get).toArray();
  }

  @Test
  void aGpt2StyleFileEncodesByItsMergeRanks() throws IOException {
    BpeTokenizer t = assertInstanceOf(BpeTokenizer.class, read(gpt2Style(false, root -> { })));
    assertEquals(PreTokenizer.GPT2, t.preTokenizer());
    assertEquals(Set.of(), t.options().specials());
    assertEquals(267, t.vocabSize());
    assertEquals(71, t.id("h"), "GPT-2's id of h");
    assertEquals(220, t.id("Ġ"), "GPT-2's id of the space");
    // "hello": (h,e) ranks before (l,l), so "e ll" and the merges after it never apply.
    // " the": Ġt, then he, then Ġthe. " world": Ġw ranks before or, then Ġwor.
    assertArrayEquals(ids("he", "ll", "o", "Ġthe", "Ġwor", "l", "d"), t.encode("hello the world"));
    // GPT-2's pre-tokens: "\n\n" is one, and "the" after it has no space, so no Ġt.
    assertArrayEquals(ids("he", "ll", "o", "Ċ", "Ċ", "t", "he"), t.encode("hello\n\nthe"));
    assertEquals("hello the world", t.decode(t.encode("hello the world")));
  }

  @Test
  void addedTokensDecodeAsTheirTextButTextNeverEncodesAsThem() throws IOException {
    Tokenizer t = read(gpt2Style(true, root -> { }));
    assertEquals(266, t.id("<|endoftext|>"));
    assertEquals("hello<|endoftext|>", t.decode(new int[] {ids("he")[0], ids("ll")[0], ids("o")[0], 266}));
    int[] ids = t.encode("<|endoftext|>");
    assertEquals(13, ids.length, "< | end of text | > as bytes: " + java.util.Arrays.toString(ids));
    assertEquals("<|endoftext|>", t.decode(ids));
  }

  @Test
  void mergesAsStringsOrPairsReadAlike() throws IOException {
    assertEquals(read(gpt2Style(false, root -> { })), read(gpt2Style(true, root -> { })));
  }

  @Test
  void survivesBothFormatsWrittenAndReadBack() throws IOException {
    BpeTokenizer t = (BpeTokenizer) read(gpt2Style(false, root -> { }));
    ByteArrayOutputStream hf = new ByteArrayOutputStream();
    t.writeHuggingFace(hf);
    Tokenizer fromHf = read(hf.toByteArray());
    assertEquals(t, fromHf);
    assertTrue(hf.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"ByteLevel\""));
    assertEquals(t, Tokenizer.fromBytes(t.toBytes()), "Spindle's own format keeps the file's ids and added tokens");
    String text = "hello the world, hello\n\nworld";
    assertArrayEquals(t.encode(text), fromHf.encode(text));
  }

  @Test
  void aLearnedTokenizerWrittenForHuggingFaceReadsBackTheSame() throws IOException {
    BpeTokenizer t = BpeTokenizer.learn(List.of("the cat sat on the mat\n\nthe end"),
        TokenizerOptions.defaults().withSpecials(Special.PAD, Special.EOS).withLowercase(true));
    ByteArrayOutputStream hf = new ByteArrayOutputStream();
    t.writeHuggingFace(hf);
    Tokenizer back = read(hf.toByteArray());
    assertEquals(t.vocabulary().tokens(), back.vocabulary().tokens());
    assertEquals(Set.of(Special.PAD, Special.EOS), back.options().specials(), "<pad> and <eos> at ids 0 and 1");
    assertEquals(PreTokenizer.LINES, ((BpeTokenizer) back).preTokenizer(), "through a Split pre-tokenizer");
    assertArrayEquals(t.encode("The Cat\n\nSAT"), back.encode("The Cat\n\nSAT"), "with the Lowercase normalizer");
    assertEquals(t.merges(), ((BpeTokenizer) back).merges());
  }

  @Test
  void refusesWhatItWouldEncodeDifferently() {
    assertRefused("add_prefix_space", root -> ((ObjectNode) root.get("pre_tokenizer")).put("add_prefix_space", true));
    assertRefused("WordPiece", root -> ((ObjectNode) root.get("model")).put("type", "WordPiece"));
    assertRefused("NFC", root -> root.putObject("normalizer").put("type", "NFC"));
    assertRefused("dropout", root -> ((ObjectNode) root.get("model")).put("dropout", 0.1));
    assertRefused("byte 0x21", root -> {
      ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
      vocab.remove("!");
      vocab.put("!!", 0);
    });
    assertRefused("no token has id 5", root -> ((ObjectNode) root.get("model").get("vocab")).put("&", 300));
    assertRefused("merge 0", root -> ((ArrayNode) root.get("model").get("merges")).set(0, "Ġ q"));
  }

  private static void assertRefused(String expected, Consumer<ObjectNode> edit) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(gpt2Style(false, edit)));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
