package io.spindle.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded corpus of broken model-folder files, each made from a real file by one mutation that makes it invalid:
 * truncation, a flipped byte where any change breaks the format, trailing garbage, a key given twice, a field of the
 * wrong type or of an absurd size, deep nesting, a non-finite weight. Mutations that may leave a file valid (a
 * flipped digit of {@code dropout}, a changed {@code n_head}, a flipped weight) are not in it: every mutant must be
 * refused.
 */
final class Mutants {
  /** One broken file: which file of the folder it replaces, what was done to it, and its bytes. */
  record Mutant(String file, String description, byte[] bytes) {}

  private static final String[] TRAILING = {"x", "{}", "}", "[]", "null", "0", "\"s\"", "// comment", "\u0000"};

  private Mutants() {}

  /** Mutants of a {@code model.safetensors} file. */
  static List<Mutant> safetensors(byte[] file, Random rnd) {
    String name = "model.safetensors";
    List<Mutant> out = new ArrayList<>();
    long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int dataStart = 8 + (int) headerLength;
    List<Integer> cuts = new ArrayList<>(List.of(0, 1, 7, 8, 9, 8 + (int) headerLength / 2, dataStart - 1,
        dataStart, dataStart + 1, dataStart + (file.length - dataStart) / 2, file.length - 1));
    for (int i = 0; i < 10; i++) {
      cuts.add(rnd.nextInt(file.length));
    }
    for (int cut : cuts) {
      out.add(new Mutant(name, "truncated to " + cut + " bytes", Arrays.copyOf(file, cut)));
    }
    for (String tail : new String[] {"\u0000", "x", "\u0000\u0000\u0000\u0000", "y".repeat(1000)}) {
      out.add(new Mutant(name, "followed by " + tail.length() + " bytes", concat(file, tail)));
    }
    for (long length : new long[] {0, 1L << 40, -1, headerLength - 1, headerLength + 1, headerLength + 8,
        headerLength - 8}) {
      byte[] b = file.clone();
      ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
      out.add(new Mutant(name, "header length " + length, b));
    }
    // Any change to the header's JSON breaks it (names, dtypes, shapes and offsets must all agree), except inside
    // the free-form metadata and where a byte becomes whitespace.
    String header = new String(file, 8, (int) headerLength, StandardCharsets.UTF_8);
    int metadataFrom = 8 + header.indexOf("{\"format\"") + 1;
    int metadataTo = 8 + header.indexOf('}', header.indexOf("{\"format\""));
    for (int i = 0; i < 40; i++) {
      int at = 8 + rnd.nextInt((int) headerLength);
      if (at >= metadataFrom && at < metadataTo) {
        continue;
      }
      byte[] b = file.clone();
      do {
        b[at] = (byte) (file[at] ^ (1 + rnd.nextInt(255)));
      } while (Character.isWhitespace((char) (b[at] & 0xff)));
      out.add(new Mutant(name, "header byte " + at + " flipped from '" + (char) file[at] + "' to 0x"
          + Integer.toHexString(b[at] & 0xff), b));
    }
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      for (int i = 0; i < 3; i++) {
        byte[] b = file.clone();
        int at = dataStart + 4 * rnd.nextInt((file.length - dataStart) / 4);
        ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(bad);
        out.add(new Mutant(name, "weight at byte " + at + " set to " + bad, b));
      }
    }
    return out;
  }

  /** Mutants of a GPT {@code config.json}, written by Spindle (pretty-printed, the fields below). */
  static List<Mutant> config(String json, Random rnd) {
    String name = "config.json";
    List<Mutant> out = new ArrayList<>();
    String[] sizes = {"block_size", "vocab_size", "n_layer", "n_embd", "n_head"};
    String[] badInts = {"\"16\"", "[16]", "{}", "null", "true", "1.5", "-1", "0", "2147483648",
        "99999999999999999999999", "1e400", "1000000000"};
    for (String field : sizes) {
      for (String value : badInts) {
        out.add(text(name, field + " = " + value, replaceValue(json, field, value)));
      }
      int original = Integer.parseInt(valueOf(json, field));
      // A size that no longer matches the tensors; for n_head, one that does not divide n_embd (a divisor would
      // load: the weights cannot tell, see GptFormat).
      String other = field.equals("n_head") ? "3" : Integer.toString(original + 1);
      out.add(text(name, field + " = " + other, replaceValue(json, field, other)));
      out.add(text(name, "without " + field, json.replaceFirst("\\s*\"" + field + "\" : [^,\\n]*,", "")));
    }
    for (String value : new String[] {"\"x\"", "[]", "1.5", "-0.5", "1e400", "true"}) {
      out.add(text(name, "dropout = " + value, replaceValue(json, "dropout", value)));
    }
    for (String value : new String[] {"\"yes\"", "1", "null", "false"}) {
      out.add(text(name, "bias = " + value, replaceValue(json, "bias", value)));
    }
    for (String value : new String[] {"\"encoder-classifier\"", "\"GPT\"", "1", "null", "{}"}) {
      out.add(text(name, "model_type = " + value, replaceValue(json, "model_type", value)));
    }
    out.addAll(common(name, json, rnd, new String[] {"model_type", "block_size", "vocab_size", "n_layer",
        "n_head", "n_embd", "dropout", "bias"}));
    return out;
  }

  /** Mutants of a {@code tokenizer.json} (pretty-printed, a character vocabulary). */
  static List<Mutant> tokenizer(String json, Random rnd) {
    String name = "tokenizer.json";
    List<Mutant> out = new ArrayList<>();
    String[][] fields = {{"version", "\"1\""}, {"version", "2"}, {"version", "1e300"},
        {"version", "99999999999999999999"}, {"type", "\"bpe\""}, {"type", "1"}, {"type", "null"},
        {"format", "\"x\""}, {"options", "[]"}, {"maxVocabSize", "\"x\""}, {"maxVocabSize", "1.5"},
        {"lowercase", "\"no\""}, {"minCount", "\"1\""}, {"specials", "[]"}, {"pad", "5"}, {"vocab", "\"abc\""},
        {"vocab", "{}"}, {"vocab", "[ 1, 2 ]"}};
    for (String[] f : fields) {
      out.add(text(name, f[0] + " = " + f[1], replaceValue(json, f[0], f[1])));
    }
    int last = json.lastIndexOf(", \"");
    String lastToken = json.substring(last + 2, json.indexOf('"', last + 3) + 1);
    // One token fewer than the model's vocabulary (cannot decode every id), one more, and a token twice.
    out.add(text(name, "vocabulary without its last token", json.substring(0, last) + json.substring(
        last + 2 + lastToken.length())));
    out.add(text(name, "vocabulary with an extra token", json.replace(lastToken + " ]", lastToken + ", \"\u00a7\" ]")));
    String previous = json.substring(json.lastIndexOf(", \"", last - 1) + 2, last);
    out.add(text(name, "vocabulary with a token twice", json.replace(", " + lastToken + " ]", ", " + previous + " ]")));
    out.addAll(common(name, json, rnd, new String[] {"format", "version", "type", "options", "specials",
        "vocab"}));
    return out;
  }

  /** Mutations every JSON file gets: truncations, structural bytes flipped, trailing text, keys twice, nesting. */
  private static List<Mutant> common(String name, String json, Random rnd, String[] keys) {
    List<Mutant> out = new ArrayList<>();
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 10; i++) {
      int cut = rnd.nextInt(bytes.length); // a strict prefix of an object never closes it
      out.add(new Mutant(name, "truncated to " + cut + " bytes", Arrays.copyOf(bytes, cut)));
    }
    List<Integer> structural = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      if ("{}[]:,\"".indexOf(bytes[i]) >= 0) {
        structural.add(i);
      }
    }
    for (int i = 0; i < 12; i++) {
      int at = structural.get(rnd.nextInt(structural.size()));
      byte[] b = bytes.clone();
      do {
        b[at] = (byte) (bytes[at] ^ (1 + rnd.nextInt(255)));
      } while (Character.isWhitespace((char) (b[at] & 0xff)));
      out.add(new Mutant(name, "byte " + at + " flipped from '" + (char) bytes[at] + "' to 0x"
          + Integer.toHexString(b[at] & 0xff), b));
    }
    for (String tail : TRAILING) {
      out.add(text(name, "followed by " + tail.replace("\u0000", "NUL"), json + tail));
    }
    out.add(text(name, "twice", json + json));
    for (String key : keys) {
      String value = valueOf(json, key);
      out.add(text(name, "key " + key + " twice", json.replaceFirst("\\{", "{\n  \"" + key + "\" : "
          + value.replace("\\", "\\\\").replace("$", "\\$") + ",")));
    }
    for (String whole : new String[] {"", "[]", "null", "0", "\"text\"", "[" + json + "]"}) {
      out.add(text(name, "replaced by '" + (whole.length() > 10 ? "[the object]" : whole) + "'", whole));
    }
    out.add(text(name, "a value nested 5,000 deep", replaceValue(json, keys[1], "[".repeat(5000) + "]".repeat(5000))));
    out.add(text(name, "nested 100,000 deep", "[".repeat(100_000)));
    byte[] latin1 = bytes.clone();
    latin1[json.indexOf('"') + 1] = (byte) 0xe9; // the first key's first letter, as ISO-8859-1 'é': not UTF-8
    out.add(new Mutant(name, "a byte that is not UTF-8", latin1));
    return out;
  }

  /** {@code json} with the value of the first {@code "key" : value} replaced (the value runs to the line's end). */
  private static String replaceValue(String json, String key, String value) {
    String current = valueOf(json, key);
    int at = json.indexOf("\"" + key + "\" : ") + key.length() + 5;
    return json.substring(0, at) + value + json.substring(at + current.length());
  }

  /** The text of the value of {@code "key" : value}, up to the comma or line end (or a whole object or array). */
  private static String valueOf(String json, String key) {
    int at = json.indexOf("\"" + key + "\" : ");
    if (at < 0) {
      throw new IllegalArgumentException("no key " + key + " in " + json);
    }
    at += key.length() + 5;
    char open = json.charAt(at);
    if (open == '{' || open == '[') {
      char close = open == '{' ? '}' : ']';
      return json.substring(at, json.indexOf(close, at) + 1);
    }
    int end = at;
    while (end < json.length() && json.charAt(end) != ',' && json.charAt(end) != '\n') {
      end++;
    }
    return json.substring(at, end);
  }

  private static Mutant text(String file, String description, String content) {
    return new Mutant(file, description, content.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[] a, String b) {
    byte[] tail = b.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(a, a.length + tail.length);
    System.arraycopy(tail, 0, out, a.length, tail.length);
    return out;
  }
}
