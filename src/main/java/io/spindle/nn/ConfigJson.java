package io.spindle.nn;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reading and writing the {@code config.json} and {@code model.safetensors} of the model folders; every error names
 * the file and the field. Enum fields are written in lower case ({@code "post"}, {@code "relu"}).
 *
 * <p>A {@code config.json} must be exactly one JSON object: a syntax error, a second value or other trailing text,
 * and a key given twice are refused with one line naming the file (and where in it the problem is). Weights that are
 * not finite (NaN or infinite, as a diverged training run leaves them) are refused by {@link #requireFinite}, naming
 * the tensor: such a model scores NaN and generates nonsense.
 */
final class ConfigJson {
  static final String CONFIG = "config.json";
  static final String WEIGHTS = "model.safetensors";
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private ConfigJson() {}

  /** A new config object whose first field is {@code model_type}. */
  static ObjectNode create(String modelType) {
    ObjectNode o = JSON.createObjectNode();
    o.put("model_type", modelType);
    return o;
  }

  static void write(ObjectNode o, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      write(o, out);
    }
  }

  /** Writes {@code o} pretty-printed to {@code out}, leaving the stream open. */
  static void write(ObjectNode o, OutputStream out) throws IOException {
    out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
  }

  /** The JSON object in {@code file}, whose {@code model_type} must be {@code modelType}. */
  static JsonNode read(Path file, String modelType) throws IOException {
    return read(file, modelType, false);
  }

  /**
   * The JSON object in {@code file}; its {@code model_type} must be {@code modelType}, or may be absent when
   * {@code typeOptional} (nanoGPT's own configs carry none).
   */
  static JsonNode read(Path file, String modelType, boolean typeOptional) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file, modelType, typeOptional);
    }
  }

  /** Like {@link #read(Path, String, boolean)} from a stream; {@code source} names it in messages. */
  static JsonNode read(InputStream in, Object source, String modelType, boolean typeOptional) throws IOException {
    JsonNode o;
    try {
      o = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + describe(e), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    JsonNode typeNode = o.get("model_type");
    String type = typeNode == null && typeOptional ? modelType : typeNode == null ? "" : typeNode.isTextual()
        ? typeNode.textValue() : typeNode.toString();
    if (!modelType.equals(type)) {
      throw new IllegalArgumentException(source + ": model_type is '" + type + "', expected '" + modelType + "'");
    }
    return o;
  }

  /** A Jackson error in one line: its message without the source excerpt, and the line and column. */
  static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    JsonLocation at = e.getLocation();
    String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr()
        + ")";
    // Jackson names its own classes and settings in some messages; the user needs only what is wrong.
    return message.strip().replaceAll("\\s*\\R\\s*", " ").replaceAll(" ?\\(bound as `[^`]*`\\)", "")
        .replaceAll(": not allowed as per `[^`]*`", "") + where;
  }

  /**
   * Throws naming the first parameter of {@code p} that holds a NaN or an infinity, and where; {@code source} names
   * the weights in the message.
   */
  static void requireFinite(Parameters p, Object source) {
    for (String name : p.names()) {
      Tensor t = p.get(name).value();
      for (int i = 0; i < t.size(); i++) {
        float v = t.get(i);
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException(source + ": tensor '" + name + "' holds " + v + " at element " + i
              + "; a model with non-finite weights cannot score or generate (was it trained with too high a "
              + "learning rate?)");
        }
      }
    }
  }

  /** {@code config.get()}, an invalid config's error prefixed with {@code source}. */
  static <C> C validated(Supplier<C> config, Object source) {
    try {
      return config.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  static int intField(JsonNode o, String name, Object file) {
    JsonNode n = o.get(name);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new IllegalArgumentException(file + ": field " + name + " missing or not an integer");
    }
    return n.intValue();
  }

  static double doubleField(JsonNode o, String name, double fallback, Object file) {
    JsonNode n = o.get(name);
    if (n == null) {
      return fallback;
    }
    if (!n.isNumber()) {
      throw new IllegalArgumentException(file + ": field " + name + " is not a number");
    }
    return n.doubleValue();
  }

  static boolean booleanField(JsonNode o, String name, boolean fallback, Object file) {
    JsonNode n = o.get(name);
    if (n == null) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw new IllegalArgumentException(file + ": field " + name + " is not true or false");
    }
    return n.booleanValue();
  }

  /** The enum constant named (in any case) by a string field, or {@code fallback} when the field is absent. */
  static <E extends Enum<E>> E enumField(JsonNode o, String name, Class<E> type, E fallback, Object file) {
    JsonNode n = o.get(name);
    if (n == null) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (n.isTextual() && e.name().equalsIgnoreCase(n.textValue())) {
        return e;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(name(e));
    }
    throw new IllegalArgumentException(file + ": field " + name + " is " + n + ", expected one of " + allowed);
  }

  /** Writes every parameter under its own name. */
  static void writeWeights(Parameters p, Path file) throws IOException {
    SafeTensors.write(views(p), Map.of("format", "pt"), file);
  }

  /**
   * Reads a file holding exactly the parameters' names and shapes into them, refusing weights that are not finite;
   * errors start with the file's path.
   */
  static void readWeights(Path file, Parameters p) throws IOException {
    try {
      SafeTensors.readInto(file, views(p));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    requireFinite(p, file);
  }

  /** Every parameter's value by name, in declaration order (views, no copies). */
  static Map<String, Tensor> views(Parameters p) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : p.names()) {
      tensors.put(name, p.get(name).value());
    }
    return tensors;
  }

  /** Throws unless {@code dir} is a directory holding every one of {@code files}. */
  static void requireFiles(Path dir, String... files) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("model folder " + dir + " does not exist or is not a directory");
    }
    for (String f : files) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new IllegalArgumentException("model folder " + dir + " has no " + f);
      }
    }
  }
}
