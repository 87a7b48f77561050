package io.spindle.data;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code tokenizer.json} format (UTF-8), read and written with Jackson's tree model:
 * <pre>{@code
 * {
 *   "format": "spindle-tokenizer",
 *   "version": 1,
 *   "type": "char",                      // or "word" or "bpe"
 *   "options": {"minCount": 1, "maxVocabSize": null, "lowercase": false},   // null: no limit
 *   "specials": {"pad": 0, "unk": 1, "bos": 2, "eos": 3},
 *   "vocab": ["<pad>", "<unk>", "<bos>", "<eos>", " ", "e", "t", ...]      // every token, in id order
 * }
 * }</pre>
 * The specials present take ids {@code 0..k-1} in the order pad, unk, bos, eos, and {@code vocab[id]} holds their
 * text. A {@code "bpe"} tokenizer ({@link BpeTokenizer}) has three more fields: {@code "preTokenizer"}, the regular
 * expression of its {@link PreTokenizer}; {@code "merges"}, the merges in rank order as pairs of tokens
 * ({@code [["Ġ", "t"], ["h", "e"], ...]}); and {@code "added"}, the tokens besides the specials that are literal
 * text (optional, default none); its vocab holds byte spellings ({@link ByteLevel}).
 *
 * <p>{@link #read} also reads Hugging Face's {@code tokenizer.json} of a byte-level BPE model (recognised by its
 * {@code "model"} field and the absence of {@code "format"}); see {@link HuggingFaceTokenizerJson}. Reading checks every field and throws {@link BadInputException} naming the first problem: a missing
 * or mistyped field, an unknown type or special, a special at the wrong id, a duplicate token, a token the type's
 * rule cannot produce. Unknown extra fields are ignored. The file must be exactly one JSON object: a key given twice,
 * a second value or other trailing text after it are errors.
 */
final class TokenizerJson {
  static final String FORMAT = "spindle-tokenizer";
  static final int VERSION = 1;

  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
      .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private TokenizerJson() {}

  static void write(Tokenizer tokenizer, OutputStream out) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("type", tokenizer.type());
    TokenizerOptions o = tokenizer.options();
    ObjectNode options = root.putObject("options");
    options.put("minCount", o.minCount());
    if (o.maxVocabSize() == TokenizerOptions.NO_LIMIT) {
      options.putNull("maxVocabSize");
    } else {
      options.put("maxVocabSize", o.maxVocabSize());
    }
    options.put("lowercase", o.lowercase());
    ObjectNode specials = root.putObject("specials");
    for (Special s : o.specials()) {
      specials.put(s.jsonName(), tokenizer.specialId(s).getAsInt());
    }
    ArrayNode vocab = root.putArray("vocab");
    tokenizer.vocabulary().tokens().forEach(vocab::add);
    if (tokenizer instanceof BpeTokenizer bpe) {
      root.put("preTokenizer", bpe.preTokenizer().regex());
      ArrayNode merges = root.putArray("merges");
      for (List<String> merge : bpe.merges()) {
        merges.addArray().add(merge.get(0)).add(merge.get(1));
      }
      if (!bpe.addedTokens().isEmpty()) {
        ArrayNode added = root.putArray("added");
        bpe.addedTokens().forEach(added::add);
      }
    }
    MAPPER.writeValue(out, root);
  }

  static Tokenizer read(InputStream in) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(in);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String message = e.getOriginalMessage().replaceAll(" ?\\(bound as `[^`]*`\\)", "")
          .replaceAll(": not allowed as per `[^`]*`", ""); // Jackson's own class and setting names
      throw new BadInputException("tokenizer.json: not valid JSON: " + message
          + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr()
              + ")"), e);
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException("tokenizer.json: expected a JSON object at the top level");
    }
    if (!root.has("format") && root.has("model")) {
      return HuggingFaceTokenizerJson.read(root);
    }
    String format = text(root, "format");
    if (!format.equals(FORMAT)) {
      throw new BadInputException("tokenizer.json: format is '" + format + "', expected '" + FORMAT + "'");
    }
    int version = integer(root, "version");
    if (version != VERSION) {
      throw new BadInputException("tokenizer.json: unsupported version " + version + " (this reader knows "
          + VERSION + ")");
    }
    String type = text(root, "type");
    if (!type.equals("char") && !type.equals("word") && !type.equals("bpe")) {
      throw new BadInputException("tokenizer.json: bad type '" + type
          + "', expected \"char\", \"word\" or \"bpe\"");
    }
    JsonNode optionsNode = field(root, "options", "an object");
    if (!optionsNode.isObject()) {
      throw new BadInputException("tokenizer.json: options must be an object");
    }
    JsonNode max = field(optionsNode, "maxVocabSize", "an integer or null");
    if (!max.isNull() && !max.isInt()) {
      throw new BadInputException("tokenizer.json: options.maxVocabSize must be an integer or null, got " + max);
    }
    JsonNode lowercase = field(optionsNode, "lowercase", "a boolean");
    if (!lowercase.isBoolean()) {
      throw new BadInputException("tokenizer.json: options.lowercase must be a boolean, got " + lowercase);
    }
    Set<Special> specials = specials(field(root, "specials", "an object"));
    int minCount = integer(optionsNode, "minCount");
    List<String> learned = learned(field(root, "vocab", "an array of strings"), specials);
    boolean bpe = type.equals("bpe");
    List<List<String>> merges = bpe ? merges(field(root, "merges", "an array of pairs of tokens")) : null;
    String preTokenizer = bpe ? text(root, "preTokenizer") : null;
    Set<String> added = bpe ? strings(root.get("added"), "added") : null;
    try {
      TokenizerOptions options = new TokenizerOptions(specials, minCount,
          max.isNull() ? TokenizerOptions.NO_LIMIT : max.intValue(), lowercase.booleanValue());
      return switch (type) {
        case "char" -> new CharTokenizer(options, learned);
        case "word" -> new WordTokenizer(options, learned);
        default -> new BpeTokenizer(options, learned, merges, PreTokenizer.of(preTokenizer), added);
      };
    } catch (IllegalArgumentException e) {
      throw new BadInputException("tokenizer.json: " + e.getMessage(), e);
    }
  }

  /** The specials present, checking each sits at its fixed id (its rank among the present ones). */
  private static Set<Special> specials(JsonNode node) {
    if (!node.isObject()) {
      throw new BadInputException("tokenizer.json: specials must be an object of name: id, got " + node);
    }
    Set<Special> present = EnumSet.noneOf(Special.class);
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      try {
        present.add(Special.fromJsonName(name));
      } catch (IllegalArgumentException e) {
        throw new BadInputException("tokenizer.json: " + e.getMessage(), e);
      }
    }
    int expected = 0;
    for (Special s : present) {
      JsonNode id = node.get(s.jsonName());
      if (!id.isInt() || id.intValue() != expected) {
        throw new BadInputException("tokenizer.json: special " + s.jsonName() + " has id " + id
            + ", expected " + expected + " (specials take the first ids in the order pad, unk, bos, eos)");
      }
      expected++;
    }
    return present;
  }

  /** The vocabulary after the specials, checking the specials' texts. */
  private static List<String> learned(JsonNode vocab, Set<Special> specials) {
    if (!vocab.isArray()) {
      throw new BadInputException("tokenizer.json: vocab must be an array of strings");
    }
    if (vocab.size() < specials.size()) {
      throw new BadInputException("tokenizer.json: vocab has " + vocab.size() + " tokens, fewer than the "
          + specials.size() + " specials");
    }
    int id = 0;
    for (Special s : specials) {
      JsonNode token = vocab.get(id);
      if (!token.isTextual() || !token.textValue().equals(s.token())) {
        throw new BadInputException("tokenizer.json: vocab[" + id + "] is " + token + ", expected the "
            + s.jsonName() + " token \"" + s.token() + "\"");
      }
      id++;
    }
    List<String> learned = new ArrayList<>(vocab.size() - id);
    for (; id < vocab.size(); id++) {
      JsonNode token = vocab.get(id);
      if (!token.isTextual()) {
        throw new BadInputException("tokenizer.json: vocab[" + id + "] is " + token + ", expected a string");
      }
      learned.add(token.textValue());
    }
    return learned;
  }

  /** The merges {@code [["a", "b"], ...]} as pairs of tokens. */
  static List<List<String>> merges(JsonNode merges) {
    if (!merges.isArray()) {
      throw new BadInputException("tokenizer.json: merges must be an array of pairs of tokens");
    }
    List<List<String>> pairs = new ArrayList<>(merges.size());
    for (int r = 0; r < merges.size(); r++) {
      JsonNode pair = merges.get(r);
      if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
        throw new BadInputException("tokenizer.json: merges[" + r + "] is " + pair
            + ", expected a pair of tokens [\"a\", \"b\"]");
      }
      pairs.add(List.of(pair.get(0).textValue(), pair.get(1).textValue()));
    }
    return pairs;
  }

  /** The strings of the optional array {@code node} (none if null). */
  private static Set<String> strings(JsonNode node, String name) {
    Set<String> strings = new LinkedHashSet<>();
    if (node == null) {
      return strings;
    }
    if (!node.isArray()) {
      throw new BadInputException("tokenizer.json: " + name + " must be an array of strings");
    }
    for (JsonNode s : node) {
      if (!s.isTextual()) {
        throw new BadInputException("tokenizer.json: " + name + " holds " + s + ", expected a string");
      }
      strings.add(s.textValue());
    }
    return strings;
  }

  static JsonNode field(JsonNode parent, String name, String expected) {
    JsonNode node = parent.get(name);
    if (node == null) {
      throw new BadInputException("tokenizer.json: missing field '" + name + "' (" + expected + ")");
    }
    return node;
  }

  static String text(JsonNode parent, String name) {
    JsonNode node = field(parent, name, "a string");
    if (!node.isTextual()) {
      throw new BadInputException("tokenizer.json: field '" + name + "' must be a string, got " + node);
    }
    return node.textValue();
  }

  private static int integer(JsonNode parent, String name) {
    JsonNode node = field(parent, name, "an integer");
    if (!node.isInt()) {
      throw new BadInputException("tokenizer.json: field '" + name + "' must be an integer, got " + node);
    }
    return node.intValue();
  }
}
