package io.spindle.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.tensor.Shape;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file: one {@link Entry} per tensor (dtype, shape, byte range in the data buffer)
 * in header order, plus the optional {@code __metadata__} string map. Instances are validated: every entry is
 * well-formed, its byte range holds exactly {@code shape × dtype size} bytes, and the ranges tile the data buffer
 * {@code [0, dataLength())} without overlap or gap, as the reference implementation requires.
 *
 * <p>Header JSON looks like {@code {"__metadata__": {"format": "pt"}, "lm_head.weight": {"dtype": "F32",
 * "shape": [50304, 768], "data_offsets": [0, 154533888]}}}; offsets are relative to the first byte after the header.
 */
public final class SafeTensorsHeader {
  /** The JSON key that holds the file's string metadata instead of a tensor. */
  public static final String METADATA_KEY = "__metadata__";

  // Duplicate tensor names and anything after the top-level object (other than whitespace) are errors.
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** One tensor's header entry; {@code [begin, end)} is its byte range in the data buffer. */
  public record Entry(String name, SafeTensorsDtype dtype, int[] shape, long begin, long end) {
    public Entry {
      shape = shape.clone();
    }

    /** A copy of the shape. */
    @Override
    public int[] shape() {
      return shape.clone();
    }

    /** Number of elements, the product of the shape. */
    public int size() {
      return Shape.size(shape);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Entry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
          && begin == e.begin && end == e.end;
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name + " " + dtype + Shape.toString(shape) + " [" + begin + ", " + end + ")";
    }
  }

  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final Map<String, String> metadata;
  private final byte[] bytes; // the header as it is in the file: UTF-8 JSON, maybe padded with spaces
  private final long dataLength;

  private SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata, byte[] bytes, long dataLength) {
    this.entries = Collections.unmodifiableList(entries);
    Map<String, Entry> names = new LinkedHashMap<>();
    for (Entry e : entries) {
      names.put(e.name(), e);
    }
    this.byName = Collections.unmodifiableMap(names);
    this.metadata = Collections.unmodifiableMap(metadata);
    this.bytes = bytes;
    this.dataLength = dataLength;
  }

  /** Entries in header order (which is the order the writer was given). */
  public List<Entry> entries() {
    return entries;
  }

  /** The entry called {@code name}, or null. */
  public Entry entry(String name) {
    return byName.get(name);
  }

  /** Tensor names in header order. */
  public List<String> names() {
    return new ArrayList<>(byName.keySet());
  }

  /** The {@code __metadata__} map (empty when the header has none), in header order. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Length in bytes of the data buffer that follows the header: the end of the last tensor. */
  public long dataLength() {
    return dataLength;
  }

  /** File position of the data buffer: the 8-byte length prefix plus the header. */
  public long dataStart() {
    return 8L + bytes.length;
  }

  /** A copy of the header bytes as they appear in the file (after the 8-byte length prefix). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The header for F32 tensors with the given shapes, laid out back to back in the map's iteration order, with
   * {@code metadata} (omitted from the JSON when empty). The JSON is padded with spaces so that the data buffer
   * starts at a multiple of 8 bytes, as the reference writer does.
   */
  static SafeTensorsHeader forFloat32(Map<String, int[]> shapes, Map<String, String> metadata) {
    ObjectNode root = MAPPER.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(METADATA_KEY);
      metadata.forEach(meta::put);
    }
    List<Entry> entries = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      int[] shape = e.getValue();
      long end = offset + 4L * Shape.size(shape);
      entries.add(new Entry(e.getKey(), SafeTensorsDtype.F32, shape, offset, end));
      ObjectNode node = root.putObject(e.getKey());
      node.put("dtype", SafeTensorsDtype.F32.name());
      ArrayNode dims = node.putArray("shape");
      for (int d : shape) {
        dims.add(d);
      }
      node.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("safetensors: could not serialize a header tree", e);
    }
    byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
    Arrays.fill(padded, json.length, padded.length, (byte) ' ');
    return new SafeTensorsHeader(entries, new LinkedHashMap<>(metadata), padded, offset);
  }

  /**
   * Parses and validates header bytes. {@code availableDataBytes} is the number of bytes after the header when the
   * input's length is known (then ranges past it and bytes after the last tensor are errors), or -1 for a stream of
   * unknown length (then the reader finds truncation as it reads).
   */
  static SafeTensorsHeader parse(byte[] bytes, long availableDataBytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw new IllegalArgumentException("safetensors: header is not valid UTF-8 at header byte " + in.position()
          + " (0x" + Integer.toHexString(bytes[in.position()] & 0xff) + ")");
    }
    String text = out.flip().toString();
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("safetensors: header is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("safetensors: header is not a JSON object but "
          + (root == null || root.isMissingNode() ? "empty" : root.getNodeType()));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(field.getValue());
      } else {
        entries.add(parseEntry(field.getKey(), field.getValue(), availableDataBytes));
      }
    }
    long dataLength = checkTiling(entries);
    if (availableDataBytes >= 0 && availableDataBytes != dataLength) {
      throw new IllegalArgumentException("safetensors: " + (availableDataBytes - dataLength) + " bytes after the last"
          + " tensor: the data buffer has " + availableDataBytes + " bytes but the tensors end at byte " + dataLength);
    }
    return new SafeTensorsHeader(entries, metadata, bytes.clone(), dataLength);
  }

  private static Map<String, String> parseMetadata(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("safetensors: " + METADATA_KEY + " is not a JSON object but "
          + node.getNodeType());
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!field.getValue().isTextual()) {
        throw new IllegalArgumentException("safetensors: " + METADATA_KEY + " value for key '" + field.getKey()
            + "' is not a string but " + field.getValue().getNodeType());
      }
      metadata.put(field.getKey(), field.getValue().textValue());
    }
    return metadata;
  }

  private static Entry parseEntry(String name, JsonNode node, long availableDataBytes) {
    if (!node.isObject()) {
      throw bad(name, "entry is not a JSON object but " + node.getNodeType());
    }
    JsonNode dtypeNode = required(name, node, "dtype");
    SafeTensorsDtype dtype = dtypeNode.isTextual() ? SafeTensorsDtype.parse(dtypeNode.textValue()) : null;
    if (dtype == null) {
      throw bad(name, "unknown dtype " + dtypeNode);
    }
    JsonNode shapeNode = required(name, node, "shape");
    if (!shapeNode.isArray()) {
      throw bad(name, "shape is not an array but " + shapeNode);
    }
    int[] shape = new int[shapeNode.size()];
    boolean empty = false;
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isIntegralNumber()) {
        throw bad(name, "shape " + shapeNode + " has a dimension that is not an integer");
      }
      if (dim.bigIntegerValue().signum() < 0) {
        throw bad(name, "negative dimension in shape " + shapeNode);
      }
      if (!dim.canConvertToInt()) {
        throw bad(name, "dimension " + dim + " in shape " + shapeNode + " exceeds 2^31-1");
      }
      shape[i] = dim.intValue();
      empty |= shape[i] == 0;
    }
    long size = 1;
    for (int i = 0; i < shape.length && !empty; i++) {
      size *= shape[i];
      if (size > Integer.MAX_VALUE) {
        throw bad(name, "shape " + shapeNode + " has more than 2^31-1 elements, too many for a Java array");
      }
    }
    JsonNode offsetsNode = required(name, node, "data_offsets");
    if (!offsetsNode.isArray() || offsetsNode.size() != 2 || !offsetsNode.get(0).canConvertToLong()
        || !offsetsNode.get(1).canConvertToLong() || !offsetsNode.get(0).isIntegralNumber()
        || !offsetsNode.get(1).isIntegralNumber()) {
      throw bad(name, "data_offsets " + offsetsNode + " is not a pair [begin, end] of integers");
    }
    long begin = offsetsNode.get(0).longValue();
    long end = offsetsNode.get(1).longValue();
    if (begin < 0 || end < 0) {
      throw bad(name, "negative data_offsets " + offsetsNode);
    }
    if (end < begin) {
      throw bad(name, "data_offsets " + offsetsNode + " end before they begin");
    }
    long needed = empty ? 0 : size * dtype.bytes();
    if (end - begin != needed) {
      throw bad(name, "data_offsets " + offsetsNode + " span " + (end - begin) + " bytes but shape "
          + Shape.toString(shape) + " of " + dtype + " needs " + needed);
    }
    if (availableDataBytes >= 0 && end > availableDataBytes) {
      throw bad(name, "data_offsets " + offsetsNode + " run past the end of the data buffer (" + availableDataBytes
          + " bytes)");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /** Checks that the entries' ranges tile {@code [0, end)} with neither overlap nor gap; returns that end. */
  private static long checkTiling(List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    Entry previous = null;
    long end = 0;
    for (Entry e : sorted) {
      if (e.begin() < end) {
        throw new IllegalArgumentException("safetensors: tensors '" + previous.name() + "' [" + previous.begin()
            + ", " + previous.end() + ") and '" + e.name() + "' [" + e.begin() + ", " + e.end() + ") overlap");
      }
      if (e.begin() > end) {
        throw bad(e.name(), "data begins at byte " + e.begin() + " but "
            + (previous == null ? "the data buffer starts at 0" : "tensor '" + previous.name() + "' ends at " + end)
            + "; the data buffer must be contiguous");
      }
      previous = e;
      end = e.end();
    }
    return end;
  }

  private static JsonNode required(String name, JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw bad(name, "entry has no \"" + field + "\"");
    }
    return value;
  }

  private static IllegalArgumentException bad(String name, String problem) {
    return new IllegalArgumentException("safetensors: tensor '" + name + "': " + problem);
  }
}
