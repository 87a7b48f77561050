package io.spindle.nn;

import static io.spindle.nn.SafeTensorsFixtures.concat;
import static io.spindle.nn.SafeTensorsFixtures.entry;
import static io.spindle.nn.SafeTensorsFixtures.file;
import static io.spindle.nn.SafeTensorsFixtures.floats;
import static io.spindle.nn.SafeTensorsFixtures.shorts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.autograd.Parameters;
import io.spindle.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  private final Random rnd = new Random(11);

  private Tensor random(int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, (float) rnd.nextGaussian());
    }
    return t;
  }

  /** nanoGPT-style names, deliberately not in alphabetical order, and awkward shapes and values. */
  private Map<String, Tensor> checkpoint() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("transformer.wte.weight", random(11, 4)); // (V, C)
    tensors.put("transformer.h.0.attn.c_attn.weight", random(12, 4)); // (3C, C), Linear layout [out, in]
    tensors.put("transformer.h.0.attn.c_attn.bias", random(12)); // (3C,)
    tensors.put("lm_head.weight", random(11, 4)); // (V, C)
    tensors.put("empty", Tensor.zeros(0, 3)); // (0, 3)
    tensors.put("scalar", Tensor.scalar(-0f)); // ()
    tensors.put("big", random(50_000)); // spans several 64 KiB chunks, ending mid-chunk
    tensors.put("special", Tensor.of(new float[] {Float.intBitsToFloat(0x7FC0_1234), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -0f, Float.MAX_VALUE}, 2, 3)); // (2, 3)
    return tensors;
  }

  private static Map<String, String> metadata() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("spindle.step", "1200");
    metadata.put("note", "naïve ✓ \"quoted\"");
    return metadata;
  }

  private static void assertSameBits(Map<String, Tensor> expected, SafeTensorsFile actual) {
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.tensors().keySet()));
    expected.forEach((name, t) -> {
      TensorData d = actual.tensor(name);
      assertArrayEquals(t.shape(), d.shape(), name);
      for (int i = 0; i < t.size(); i++) {
        assertEquals(Float.floatToRawIntBits(t.get(i)), Float.floatToRawIntBits(d.values()[i]), name + "[" + i + "]");
      }
    });
  }

  @Test
  void roundTripKeepsBitsShapesOrderAndMetadata(@TempDir Path dir) throws IOException {
    Map<String, Tensor> tensors = checkpoint();
    byte[] bytes = SafeTensors.toBytes(tensors, metadata());
    Path path = dir.resolve("model.safetensors");
    SafeTensors.write(tensors, metadata(), path);
    assertArrayEquals(bytes, Files.readAllBytes(path));

    for (SafeTensorsFile read : List.of(SafeTensors.read(bytes), SafeTensors.read(path),
        SafeTensors.read(new ByteArrayInputStream(bytes)),
        SafeTensors.read(new ByteArrayInputStream(bytes), bytes.length))) {
      assertSameBits(tensors, read);
      assertEquals(new ArrayList<>(metadata().entrySet()), new ArrayList<>(read.metadata().entrySet()));
    }
  }

  @Test
  void headerIsCompactJsonPaddedWithSpacesToEightBytes() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("w", Tensor.of(new float[] {1.5f, -2f}, 2));
    tensors.put("b", Tensor.scalar(3f));
    byte[] bytes = SafeTensors.toBytes(tensors, Map.of("format", "pt"));
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    String json = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}"; // 138 bytes, padded to 144
    assertEquals(144, n);
    assertEquals(json + "      ", new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    assertArrayEquals(floats(1.5f, -2f, 3f), Arrays.copyOfRange(bytes, 8 + 144, bytes.length));
  }

  @Test
  void writerOffsetsAreContiguousInInsertionOrder() throws IOException {
    Map<String, Tensor> tensors = checkpoint();
    byte[] bytes = SafeTensors.toBytes(tensors, Map.of());
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode root = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      JsonNode entry = root.get(e.getKey());
      assertEquals("F32", entry.get("dtype").asText());
      assertEquals(offset, entry.get("data_offsets").get(0).asLong());
      offset += 4L * e.getValue().size();
      assertEquals(offset, entry.get("data_offsets").get(1).asLong());
    }
    assertEquals(8 + n + offset, bytes.length);
    assertTrue(root.get("__metadata__") == null, "no __metadata__ written when it is empty");
  }

  /** F16 and BF16 words with known float32 values, a trailing F32 tensor, and header order unlike file order. */
  private static byte[] mixedDtypeFile() {
    String header = "{" + entry("f", "F32", "[1]", 30, 34) + ", " + entry("h", "F16", "[11]", 0, 22) + ", "
        + entry("b", "BF16", "[2, 2]", 22, 30) + "}";
    byte[] half = shorts(0x3C00, 0xC000, 0x7C00, 0xFC00, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x8000, 0x3555, 0x7E00);
    byte[] bfloat = shorts(0x3F80, 0xC040, 0x0001, 0x7F80);
    return file(header, concat(half, bfloat, floats(0.1f)));
  }

  @Test
  void readsHalfAndBfloat16AsFloat() throws IOException {
    for (SafeTensorsFile read : List.of(SafeTensors.read(mixedDtypeFile()),
        SafeTensors.read(new ByteArrayInputStream(mixedDtypeFile())))) {
      assertEquals(List.of("f", "h", "b"), new ArrayList<>(read.tensors().keySet()));
      float[] h = read.tensor("h").values();
      float[] expected = {1f, -2f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
          (float) 5.9604644775390625e-8, // 0x0001: smallest subnormal, 2^-24
          (float) 6.0975551605224609375e-5, // 0x03FF: largest subnormal, 1023 × 2^-24
          (float) 6.103515625e-5, // 0x0400: smallest normal, 2^-14
          65504f, -0f, (float) 0.333251953125};
      for (int i = 0; i < expected.length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(h[i]), "h[" + i + "]");
      }
      assertTrue(Float.isNaN(h[10]));
      assertArrayEquals(new int[] {2, 2}, read.tensor("b").shape());
      assertArrayEquals(new float[] {1f, -3f, Float.intBitsToFloat(0x0001_0000), Float.POSITIVE_INFINITY},
          read.tensor("b").values());
      assertArrayEquals(new float[] {0.1f}, read.tensor("f").values());
    }
  }

  @Test
  void halfTensorLargerThanAChunk() {
    int count = 70_001; // 140002 bytes: two full 64 KiB chunks and a partial one
    int[] words = new int[count];
    for (int i = 0; i < count; i++) {
      words[i] = (i * 7919) & 0xffff;
    }
    byte[] bytes = file("{" + entry("x", "F16", "[" + count + "]", 0, 2L * count) + "}", shorts(words));
    float[] x = SafeTensors.read(bytes).tensor("x").values();
    for (int i = 0; i < count; i++) {
      double expected = SafeTensorsDtypeTest.referenceHalf(words[i]);
      if (!Double.isNaN(expected)) {
        assertEquals(Float.floatToRawIntBits((float) expected), Float.floatToRawIntBits(x[i]), "x[" + i + "]");
      }
    }
  }

  private static Map<String, Tensor> views(Parameters parameters) {
    Map<String, Tensor> views = new LinkedHashMap<>();
    for (String name : parameters.names()) {
      views.put(name, parameters.get(name).value());
    }
    return views;
  }

  private static Parameters gptLike() {
    return Parameters.builder().add("transformer.wte.weight", 7, 4).add("transformer.h.0.attn.c_attn.weight", 12, 4)
        .add("transformer.h.0.attn.c_attn.bias", 12).add("lm_head.weight", 7, 4).build();
  }

  @Test
  void parametersRoundTripThroughReadInto(@TempDir Path dir) throws IOException {
    Parameters saved = gptLike();
    for (int i = 0; i < saved.count(); i++) {
      saved.values().set(i, (float) rnd.nextGaussian());
    }
    Path path = dir.resolve("ckpt.safetensors");
    SafeTensors.write(views(saved), Map.of("iter", "3"), path);
    byte[] bytes = Files.readAllBytes(path);

    Parameters fromPath = gptLike();
    assertEquals(Map.of("iter", "3"), SafeTensors.readInto(path, views(fromPath)));
    Parameters fromStream = gptLike();
    SafeTensors.readInto(new ByteArrayInputStream(bytes), views(fromStream));
    Parameters fromBytes = gptLike();
    SafeTensors.readInto(bytes, views(fromBytes));
    for (Parameters loaded : List.of(fromPath, fromStream, fromBytes)) {
      assertArrayEquals(saved.values().toArray(), loaded.values().toArray());
    }
  }

  @Test
  void readIntoConvertsHalfAndBfloat16() {
    Map<String, Tensor> destinations = new LinkedHashMap<>();
    destinations.put("h", Tensor.zeros(11));
    destinations.put("b", Tensor.zeros(2, 2));
    destinations.put("f", Tensor.zeros(1));
    SafeTensors.readInto(mixedDtypeFile(), destinations);
    assertEquals(-2f, destinations.get("h").get(1));
    assertEquals(-3f, destinations.get("b").get(1));
    assertEquals(0.1f, destinations.get("f").get(0));
  }

  @Test
  void readIntoNamesMissingAndExtraTensorsAndWritesNothing() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("a", random(2, 3));
    tensors.put("b", random(3));
    tensors.put("c", random(1));
    byte[] bytes = SafeTensors.toBytes(tensors, Map.of());
    Map<String, Tensor> destinations = new LinkedHashMap<>();
    destinations.put("a", Tensor.zeros(2, 3));
    destinations.put("b", Tensor.zeros(3));
    destinations.put("d", Tensor.zeros(1));
    destinations.put("e", Tensor.zeros(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.readInto(bytes, destinations));
    assertTrue(e.getMessage().contains("missing [d, e]"), e.getMessage());
    assertTrue(e.getMessage().contains("unexpected [c]"), e.getMessage());
    assertArrayEquals(new float[6], destinations.get("a").toArray());
  }

  @Test
  void readIntoNamesWrongShapes() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("transformer.h.0.attn.c_attn.weight", random(12, 4));
    tensors.put("ok", random(2));
    byte[] bytes = SafeTensors.toBytes(tensors, Map.of());
    Map<String, Tensor> destinations = new LinkedHashMap<>();
    destinations.put("transformer.h.0.attn.c_attn.weight", Tensor.zeros(4, 12));
    destinations.put("ok", Tensor.zeros(2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.readInto(new ByteArrayInputStream(bytes), destinations));
    assertTrue(e.getMessage().contains("'transformer.h.0.attn.c_attn.weight' is (12, 4) in the file but (4, 12) is"
        + " expected"), e.getMessage());
    assertArrayEquals(new float[2], destinations.get("ok").toArray());
  }

  @Test
  void readHeaderStopsAtTheDataBuffer() throws IOException {
    byte[] bytes = mixedDtypeFile();
    InputStream in = new ByteArrayInputStream(bytes);
    SafeTensorsHeader header = SafeTensors.readHeader(in);
    assertEquals(List.of("f", "h", "b"), header.names());
    assertEquals(SafeTensorsDtype.F16, header.entry("h").dtype());
    assertEquals(34, header.dataLength());
    assertEquals(bytes.length - 34, header.dataStart());
    assertArrayEquals(shorts(0x3C00), in.readNBytes(2));
  }

  @Test
  void otherDtypesParseButAreNotRead() throws IOException {
    byte[] bytes = file("{" + entry("position_ids", "I64", "[1, 2]", 0, 16) + "}", new byte[16]);
    SafeTensorsHeader header = SafeTensors.readHeader(new ByteArrayInputStream(bytes));
    assertEquals(SafeTensorsDtype.I64, header.entry("position_ids").dtype());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(bytes));
    assertEquals("safetensors: tensor 'position_ids' has dtype I64; only F32, F16 and BF16 can be read as float32",
        e.getMessage());
  }

  @Test
  void tensorDataViewsItsArray() {
    float[] values = {1f, 2f, 3f, 4f, 5f, 6f};
    Tensor t = new TensorData(new int[] {2, 3}, values).toTensor();
    values[4] = -5f;
    assertEquals(-5f, t.get(4));
    assertThrows(IllegalArgumentException.class, () -> new TensorData(new int[] {4}, values));
    assertEquals(new TensorData(new int[] {2}, new float[] {Float.NaN, 1f}),
        new TensorData(new int[] {2}, new float[] {Float.NaN, 1f}));
  }
}
