package io.spindle.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face's {@code tokenizer.json} for byte-level BPE models (GPT-2 and its kin), read into and written from a
 * {@link BpeTokenizer}.
 *
 * <p>What is read, and what it must be (anything else is refused with an {@link IllegalArgumentException} naming the
 * field, rather than encoded differently from Hugging Face):
 * <ul>
 *   <li>{@code model}: {@code "type": "BPE"}; {@code vocab} (token to id) and {@code merges} in rank order, each
 *       {@code "a b"} or {@code ["a", "b"]}; no {@code dropout}, {@code continuing_subword_prefix},
 *       {@code end_of_word_suffix} or {@code ignore_merges}. {@code unk_token}, {@code fuse_unk} and
 *       {@code byte_fallback} never matter, every byte being a token.
 *   <li>{@code pre_tokenizer}: {@code ByteLevel} with {@code use_regex} ({@link PreTokenizer#GPT2}), or a
 *       {@code Sequence} of a {@code Split} by a regular expression ({@code "behavior": "Isolated"}, not inverted)
 *       and a {@code ByteLevel} without {@code use_regex} ({@link PreTokenizer#of} the expression). Either way
 *       {@code add_prefix_space} false.
 *   <li>{@code normalizer}: none, or {@code Lowercase} ({@link TokenizerOptions#lowercase()}).
 *   <li>{@code decoder}: none or {@code ByteLevel}.
 *   <li>{@code added_tokens}: each {@code {"id", "content"}} is in the vocab at that id or takes that id; the ids of
 *       vocab and added tokens together must be {@code 0..n-1}. Added tokens whose contents are Spindle's
 *       {@code <pad> <unk> <bos> <eos>}, in that order from id 0, become the tokenizer's {@link Special}s; the other
 *       added tokens are kept as literal tokens ({@link BpeTokenizer#addedTokens()}). Their matching options
 *       ({@code lstrip}, {@code single_word}, ...) are ignored, as Spindle never looks for them in text.
 *   <li>{@code post_processor}, {@code truncation} and {@code padding} are ignored: Spindle's encode adds no
 *       tokens, and batches pad themselves.
 * </ul>
 * Writing gives the same shape: {@code ByteLevel} pre-tokenizer for {@link PreTokenizer#GPT2}, else
 * {@code Split} + {@code ByteLevel}; the specials and added tokens as {@code added_tokens} marked special; merges as
 * pairs.
 */
final class HuggingFaceTokenizerJson {
  private HuggingFaceTokenizerJson() {}

  static BpeTokenizer read(JsonNode root) {
    JsonNode model = TokenizerJson.field(root, "model", "an object");
    if (!model.isObject()) {
      throw bad("model must be an object");
    }
    if (!"BPE".equals(model.path("type").asText("BPE"))) {
      throw bad("model.type is " + model.get("type") + "; only byte-level \"BPE\" models are read");
    }
    refuseSet(model, "dropout", "random merges (BPE dropout)");
    refuseSet(model, "continuing_subword_prefix", "a continuing-subword prefix");
    refuseSet(model, "end_of_word_suffix", "an end-of-word suffix");
    if (model.path("ignore_merges").asBoolean(false)) {
      throw bad("model.ignore_merges is true, which Spindle does not support");
    }
    List<String> tokens = vocab(TokenizerJson.field(model, "vocab", "an object of token: id"));
    Set<String> added = added(root.get("added_tokens"), tokens);
    for (int id = 0; id < tokens.size(); id++) {
      if (tokens.get(id) == null) {
        throw bad("no token has id " + id + " (the ids of vocab and added_tokens must be 0.." + (tokens.size() - 1)
            + ")");
      }
    }
    Set<Special> specials = EnumSet.noneOf(Special.class);
    for (Special s : Special.values()) {
      int id = specials.size();
      if (id < tokens.size() && tokens.get(id).equals(s.token()) && added.contains(s.token())) {
        specials.add(s);
        added.remove(s.token());
      }
    }
    List<List<String>> merges = merges(TokenizerJson.field(model, "merges", "an array of merges"));
    boolean lowercase = normalizer(root.get("normalizer"));
    PreTokenizer preTokenizer = preTokenizer(root.get("pre_tokenizer"));
    JsonNode decoder = root.get("decoder");
    if (decoder != null && !decoder.isNull() && !"ByteLevel".equals(decoder.path("type").asText())) {
      throw bad("decoder is " + decoder.path("type") + "; only a ByteLevel decoder is read");
    }
    try {
      TokenizerOptions options = new TokenizerOptions(specials, 1, TokenizerOptions.NO_LIMIT, lowercase);
      return new BpeTokenizer(options, tokens.subList(specials.size(), tokens.size()), merges, preTokenizer, added);
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  /** The vocab's tokens by id; null where an id is missing. */
  private static List<String> vocab(JsonNode vocab) {
    if (!vocab.isObject()) {
      throw bad("model.vocab must be an object of token: id");
    }
    List<String> tokens = new ArrayList<>(vocab.size());
    for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      place(tokens, e.getValue(), e.getKey(), "model.vocab");
    }
    return tokens;
  }

  /** Places the added tokens in {@code tokens}; returns their contents. */
  private static Set<String> added(JsonNode addedTokens, List<String> tokens) {
    Set<String> added = new LinkedHashSet<>();
    if (addedTokens == null || addedTokens.isNull()) {
      return added;
    }
    if (!addedTokens.isArray()) {
      throw bad("added_tokens must be an array");
    }
    for (JsonNode token : addedTokens) {
      JsonNode content = token.get("content");
      if (content == null || !content.isTextual()) {
        throw bad("added token " + token + " has no content string");
      }
      JsonNode idNode = token.get("id");
      if (idNode == null || !idNode.isInt()) {
        throw bad("added token " + token + " has no integer id");
      }
      int id = idNode.intValue();
      if (!(id < tokens.size() && content.textValue().equals(tokens.get(id)))) {
        place(tokens, idNode, content.textValue(), "added_tokens");
      }
      added.add(content.textValue());
    }
    return added;
  }

  private static void place(List<String> tokens, JsonNode idNode, String token, String where) {
    if (!idNode.isInt() || idNode.intValue() < 0) {
      throw bad(where + ": token " + Vocabulary.quote(token) + " has id " + idNode + ", expected an integer >= 0");
    }
    int id = idNode.intValue();
    while (tokens.size() <= id) {
      tokens.add(null);
    }
    if (tokens.get(id) != null) {
      throw bad(where + ": tokens " + Vocabulary.quote(tokens.get(id)) + " and " + Vocabulary.quote(token)
          + " share id " + id);
    }
    tokens.set(id, token);
  }

  private static List<List<String>> merges(JsonNode merges) {
    if (!merges.isArray()) {
      throw bad("model.merges must be an array");
    }
    if (merges.isEmpty() || merges.get(0).isArray()) {
      try {
        return TokenizerJson.merges(merges);
      } catch (IllegalArgumentException e) {
        throw bad("model." + e.getMessage().substring("tokenizer.json: ".length()));
      }
    }
    List<List<String>> pairs = new ArrayList<>(merges.size());
    for (int r = 0; r < merges.size(); r++) {
      JsonNode merge = merges.get(r);
      String[] parts = merge.isTextual() ? merge.textValue().split(" ", -1) : new String[0];
      if (parts.length != 2) {
        throw bad("model.merges[" + r + "] is " + merge + ", expected \"a b\" (two tokens and one space)");
      }
      pairs.add(Arrays.asList(parts));
    }
    return pairs;
  }

  /** Whether the normalizer lowercases; refuses any other normalizer. */
  private static boolean normalizer(JsonNode normalizer) {
    if (normalizer == null || normalizer.isNull()) {
      return false;
    }
    if ("Lowercase".equals(normalizer.path("type").asText())) {
      return true;
    }
    throw bad("normalizer " + normalizer.path("type") + " is not supported (only none or Lowercase)");
  }

  private static PreTokenizer preTokenizer(JsonNode node) {
    if (node == null || node.isNull()) {
      throw bad("pre_tokenizer is missing; a byte-level BPE file has a ByteLevel pre-tokenizer");
    }
    String type = node.path("type").asText();
    if ("ByteLevel".equals(type)) {
      byteLevel(node, true);
      return PreTokenizer.GPT2;
    }
    JsonNode steps = node.path("pretokenizers");
    if ("Sequence".equals(type) && steps.isArray() && steps.size() == 2
        && "Split".equals(steps.get(0).path("type").asText())
        && "ByteLevel".equals(steps.get(1).path("type").asText())) {
      JsonNode split = steps.get(0);
      JsonNode regex = split.path("pattern").path("Regex");
      if (!regex.isTextual() || !"Isolated".equals(split.path("behavior").asText())
          || split.path("invert").asBoolean(false)) {
        throw bad("pre_tokenizer: only a Split by a Regex pattern with behavior Isolated, not inverted, is "
            + "supported, got " + split);
      }
      byteLevel(steps.get(1), false);
      return PreTokenizer.of(regex.textValue());
    }
    throw bad("pre_tokenizer " + node + " is not supported: expected ByteLevel, or a Sequence of a Split by a "
        + "regular expression and a ByteLevel");
  }

  /** Checks a ByteLevel pre-tokenizer's flags: no prefix space (absent means true), regex use as expected. */
  private static void byteLevel(JsonNode node, boolean useRegex) {
    if (node.path("add_prefix_space").asBoolean(true)) {
      throw bad("pre_tokenizer: ByteLevel with add_prefix_space is not supported");
    }
    if (node.path("use_regex").asBoolean(true) != useRegex) {
      throw bad("pre_tokenizer: ByteLevel " + (useRegex ? "without" : "with") + " use_regex is not supported here");
    }
  }

  private static void refuseSet(JsonNode model, String field, String what) {
    JsonNode value = model.get(field);
    boolean unset = value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())
        || (value.isNumber() && value.doubleValue() == 0);
    if (!unset) {
      throw bad("model." + field + " is " + value + ": " + what + " is not supported");
    }
  }

  private static IllegalArgumentException bad(String message) {
    return new IllegalArgumentException("tokenizer.json (Hugging Face): " + message);
  }

  static void write(BpeTokenizer tokenizer, OutputStream out) throws IOException {
    ObjectNode root = TokenizerJson.MAPPER.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode addedTokens = root.putArray("added_tokens");
    Vocabulary vocabulary = tokenizer.vocabulary();
    for (int id = 0; id < vocabulary.size(); id++) {
      String token = vocabulary.token(id);
      if (id < vocabulary.numSpecials() || tokenizer.addedTokens().contains(token)) {
        addedTokens.addObject().put("id", id).put("content", token).put("single_word", false).put("lstrip", false)
            .put("rstrip", false).put("normalized", false).put("special", true);
      }
    }
    if (tokenizer.options().lowercase()) {
      root.putObject("normalizer").put("type", "Lowercase");
    } else {
      root.putNull("normalizer");
    }
    if (tokenizer.preTokenizer().equals(PreTokenizer.GPT2)) {
      byteLevel(root.putObject("pre_tokenizer"), true);
    } else {
      ObjectNode sequence = root.putObject("pre_tokenizer").put("type", "Sequence");
      ArrayNode steps = sequence.putArray("pretokenizers");
      ObjectNode split = steps.addObject().put("type", "Split");
      split.putObject("pattern").put("Regex", tokenizer.preTokenizer().regex());
      split.put("behavior", "Isolated").put("invert", false);
      byteLevel(steps.addObject(), false);
    }
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
        .put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE").putNull("dropout").putNull("unk_token").putNull("continuing_subword_prefix")
        .putNull("end_of_word_suffix").put("fuse_unk", false).put("byte_fallback", false)
        .put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int id = 0; id < vocabulary.size(); id++) {
      vocab.put(vocabulary.token(id), id);
    }
    ArrayNode merges = model.putArray("merges");
    for (List<String> merge : tokenizer.merges()) {
      merges.addArray().add(merge.get(0)).add(merge.get(1));
    }
    TokenizerJson.MAPPER.writeValue(out, root);
  }

  private static void byteLevel(ObjectNode node, boolean useRegex) {
    node.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", useRegex);
  }
}
