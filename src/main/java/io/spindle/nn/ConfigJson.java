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
import io.spindle.data.BadInputException;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The JSON of the model formats' {@code config.json} files; every error names the file and the field. Enum fields
 * are written in lower case ({@code "post"}, {@code "relu"}).
 *
 * <p>A {@code config.json} must be exactly one JSON object: a syntax error, a second value or other trailing text,
 * and a key given twice are refused with one line naming the file (and where in it the problem is).
 */
final class ConfigJson {
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

  /** Writes {@code o} pretty-printed to {@code out}, leaving the stream open. */
  static void write(ObjectNode o, OutputStream out) throws IOException {
    out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
  }

  /**
   * The JSON object in {@code in} (left open); its {@code model_type} must be {@code modelType}, or may be absent when
   * {@code typeOptional} (nanoGPT's own configs carry none). {@code source} names it in messages.
   */
  static JsonNode read(InputStream in, Object source, String modelType, boolean typeOptional) throws IOException {
    JsonNode o;
    try {
      o = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new BadInputException(source + ": not valid JSON: " + describe(e), e);
    }
    if (o == null || !o.isObject()) {
      throw new BadInputException(source + ": expected a JSON object");
    }
    JsonNode typeNode = o.get("model_type");
    String type = typeNode == null && typeOptional ? modelType : typeNode == null ? "" : typeNode.isTextual()
        ? typeNode.textValue() : typeNode.toString();
    if (!modelType.equals(type)) {
      throw new BadInputException(source + ": model_type is '" + type + "', expected '" + modelType + "'");
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
   * The config {@code make} builds from fields already read, its own checks' {@link IllegalArgumentException}
   * prefixed with {@code source}, so that a bad value names the file it came from.
   */
  static <C> C build(Object source, Supplier<C> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (message != null && message.startsWith(source + ": ")) {
        throw e;
      }
      throw new BadInputException(source + ": " + message, e);
    }
  }

  static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The value of field {@code name} as {@code type} ({@code int}, {@code double}, {@code boolean} or an enum named in
   * any case), or {@code fallback} when the field is absent; with a null fallback the field is required. A value of
   * another kind is an error naming the field and what it should be.
   */
  static Object field(JsonNode o, String name, Class<?> type, Object fallback, Object file) {
    JsonNode n = o.get(name);
    if (n == null && fallback != null) {
      return fallback;
    }
    if (type == int.class) {
      if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
        throw new BadInputException(file + ": field " + name + " missing or not an integer");
      }
      return n.intValue();
    }
    if (n == null) {
      throw new BadInputException(file + ": field " + name + " missing");
    }
    if (type == double.class && n.isNumber()) {
      return n.doubleValue();
    }
    if (type == boolean.class && n.isBoolean()) {
      return n.booleanValue();
    }
    if (type.isEnum()) {
      return enumValue(n, name, type, file);
    }
    throw new BadInputException(file + ": field " + name + (type == double.class ? " is not a number"
        : " is not true or false"));
  }

  /** The constant of enum {@code type} named (in any case) by a string field. */
  private static Enum<?> enumValue(JsonNode n, String name, Class<?> type, Object file) {
    StringBuilder allowed = new StringBuilder();
    for (Object constant : type.getEnumConstants()) {
      Enum<?> e = (Enum<?>) constant;
      if (n.isTextual() && e.name().equalsIgnoreCase(n.textValue())) {
        return e;
      }
      allowed.append(allowed.length() == 0 ? "" : ", ").append(name(e));
    }
    throw new BadInputException(file + ": field " + name + " is " + n + ", expected one of " + allowed);
  }

  /** Every parameter's value by name, in declaration order (views, no copies). */
  static Map<String, Tensor> views(Parameters p) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : p.names()) {
      tensors.put(name, p.get(name).value());
    }
    return tensors;
  }
}
