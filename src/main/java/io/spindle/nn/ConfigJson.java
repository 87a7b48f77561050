package io.spindle.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON of the model formats' {@code config.json} files; every error names the file and the field. Enum fields are written in lower case ({@code "post"}, {@code "relu"}).
 */
final class ConfigJson {
  private static final ObjectMapper JSON = new ObjectMapper();

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
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException(source + ": expected a JSON object");
    }
    String type = o.path("model_type").asText(typeOptional ? modelType : "");
    if (!modelType.equals(type)) {
      throw new IllegalArgumentException(source + ": model_type is '" + type + "', expected '" + modelType + "'");
    }
    return o;
  }

  /**
   * The config {@code make} builds from fields already read, its own checks' {@link IllegalArgumentException}
   * prefixed with {@code source}, so that a bad value names the file it came from.
   */
  static <C> C build(Object source, java.util.function.Supplier<C> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (message != null && message.startsWith(source + ": ")) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + message, e);
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

  /** Every parameter's value by name, in declaration order (views, no copies). */
  static Map<String, Tensor> views(Parameters p) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : p.names()) {
      tensors.put(name, p.get(name).value());
    }
    return tensors;
  }
}
