package io.spindle.nn;

import static io.spindle.nn.SafeTensorsFixtures.entry;
import static io.spindle.nn.SafeTensorsFixtures.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed input is an IllegalArgumentException whose message names the tensor and the problem. */
class SafeTensorsMalformedTest {
  /** Reads {@code bytes} as a byte array (length known) and returns the failure's message. */
  private static String failure(byte[] bytes) {
    return assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(bytes)).getMessage();
  }

  /** Reads {@code bytes} as a stream of unknown length and returns the failure's message. */
  private static String streamFailure(byte[] bytes) {
    return assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.read(new ByteArrayInputStream(bytes))).getMessage();
  }

  private static void assertContains(String message, String... parts) {
    assertTrue(message.startsWith("safetensors: "), message);
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "'" + message + "' lacks '" + part + "'");
    }
  }

  /** A header with one entry for tensor "w", and enough data bytes for 2 floats. */
  private static byte[] withEntry(String json) {
    return file("{\"w\": " + json + "}", new byte[8]);
  }

  @Test
  void inputShorterThanTheLengthPrefix() {
    assertContains(failure(new byte[5]), "input ends after 5 bytes", "8-byte header length");
    assertContains(streamFailure(new byte[0]), "input ends after 0 bytes");
  }

  @Test
  void absurdHeaderLength() {
    assertContains(failure(file(1L << 40, new byte[0], new byte[0])), "header length 1099511627776",
        "absurdly large");
    assertContains(streamFailure(file(-1L, new byte[0], new byte[0])), "header length 18446744073709551615",
        "absurdly large");
  }

  @Test
  void headerLengthPastTheEnd(@TempDir Path dir) throws Exception {
    byte[] bytes = file(100, "{}".getBytes(StandardCharsets.UTF_8), new byte[0]);
    assertContains(failure(bytes), "header length 100 runs past the end of the file (2 bytes follow");
    assertContains(streamFailure(bytes), "header length 100 runs past the end of the input (2 bytes follow");
    Path path = dir.resolve("short.safetensors");
    Files.write(path, bytes);
    assertContains(assertThrows(IllegalArgumentException.class, () -> SafeTensors.readHeader(path)).getMessage(),
        "runs past the end of the file");
  }

  @Test
  void headerNotUtf8() {
    byte[] json = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
    assertContains(failure(file(json.length, json, new byte[0])), "header is not valid UTF-8");
  }

  @Test
  void headerNotJson() {
    assertContains(failure(file("{\"w\": {\"dtype\": ", new byte[0])), "header is not valid JSON");
    assertContains(failure(file("{} {}", new byte[0])), "header is not valid JSON");
    assertContains(failure(file("{\"w\": 1, \"w\": 2}", new byte[0])), "header is not valid JSON", "w");
  }

  @Test
  void headerNotAnObject() {
    assertContains(failure(file("[1, 2]", new byte[0])), "header is not a JSON object but ARRAY");
    assertContains(failure(file("        ", new byte[0])), "header is not a JSON object but empty");
  }

  @Test
  void entryNotAnObject() {
    assertContains(failure(withEntry("[0, 8]")), "tensor 'w': entry is not a JSON object but ARRAY");
  }

  @Test
  void entryMissingAField() {
    assertContains(failure(withEntry("{\"shape\": [2], \"data_offsets\": [0, 8]}")), "tensor 'w'", "no \"dtype\"");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"data_offsets\": [0, 8]}")), "tensor 'w'",
        "no \"shape\"");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [2]}")), "tensor 'w'", "no \"data_offsets\"");
  }

  @Test
  void unknownDtype() {
    assertContains(failure(withEntry("{\"dtype\": \"Q4_K\", \"shape\": [2], \"data_offsets\": [0, 8]}")),
        "tensor 'w': unknown dtype \"Q4_K\"");
    assertContains(failure(withEntry("{\"dtype\": 4, \"shape\": [2], \"data_offsets\": [0, 8]}")),
        "tensor 'w': unknown dtype 4");
  }

  @Test
  void badShapes() {
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [2, -1], \"data_offsets\": [0, 8]}")),
        "tensor 'w': negative dimension in shape [2,-1]");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 8]}")),
        "tensor 'w'", "not an integer");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": 2, \"data_offsets\": [0, 8]}")),
        "tensor 'w': shape is not an array");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [65536, 65536], \"data_offsets\": [0, 8]}")),
        "tensor 'w'", "more than 2^31-1 elements");
  }

  @Test
  void badOffsets() {
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0]}")),
        "tensor 'w': data_offsets [0] is not a pair");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-8, 0]}")),
        "tensor 'w': negative data_offsets");
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}")),
        "tensor 'w': data_offsets [8,0] end before they begin");
  }

  @Test
  void byteCountNotShapeTimesDtypeSize() {
    assertContains(failure(withEntry("{\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}")),
        "tensor 'w': data_offsets [0,8] span 8 bytes but shape (3,) of F32 needs 12");
    assertContains(failure(withEntry("{\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 8]}")),
        "tensor 'w'", "needs 4");
  }

  @Test
  void offsetsPastTheDataBuffer() {
    byte[] bytes = file("{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("w", "F32", "[4]", 8, 24) + "}",
        new byte[12]);
    assertContains(failure(bytes), "tensor 'w': data_offsets [8,24] run past the end of the data buffer (12 bytes)");
    assertContains(streamFailure(bytes), "tensor 'w': input ends inside its data [8, 24), at data byte 12");
    assertContains(assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.read(new ByteArrayInputStream(bytes), bytes.length)).getMessage(),
        "tensor 'w': data_offsets [8,24] run past the end of the data buffer (12 bytes)");
  }

  @Test
  void overlappingTensors() {
    byte[] bytes = file("{" + entry("a", "F32", "[4]", 0, 16) + ", " + entry("b", "F32", "[4]", 8, 24) + ", "
        + entry("c", "F32", "[2]", 16, 24) + "}", new byte[24]);
    assertContains(failure(bytes), "tensors 'a' [0, 16) and 'b' [8, 24) overlap");
  }

  @Test
  void gapsInTheDataBuffer() {
    byte[] gap = file("{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("b", "F32", "[2]", 12, 20) + "}",
        new byte[20]);
    assertContains(failure(gap), "tensor 'b': data begins at byte 12 but tensor 'a' ends at 8", "contiguous");
    byte[] late = file("{" + entry("a", "F32", "[2]", 4, 12) + "}", new byte[12]);
    assertContains(failure(late), "tensor 'a': data begins at byte 4 but the data buffer starts at 0");
  }

  @Test
  void bytesAfterTheLastTensor() {
    byte[] bytes = file("{" + entry("a", "F32", "[2]", 0, 8) + "}", new byte[11]);
    assertContains(failure(bytes), "3 bytes after the last tensor", "data buffer has 11 bytes", "end at byte 8");
    assertContains(streamFailure(bytes), "input continues after the last tensor, which ends at data byte 8");
  }

  @Test
  void badMetadata() {
    assertContains(failure(file("{\"__metadata__\": [\"pt\"]}", new byte[0])), "__metadata__ is not a JSON object");
    assertContains(failure(file("{\"__metadata__\": {\"format\": \"pt\", \"step\": 3}}", new byte[0])),
        "__metadata__ value for key 'step' is not a string but NUMBER");
  }

  @Test
  void readIntoWithMissingExtraAndMisshapenTensors() {
    Map<String, Tensor> written = new LinkedHashMap<>();
    written.put("lm_head.weight", Tensor.zeros(5, 4));
    written.put("transformer.wpe.weight", Tensor.zeros(8, 4));
    byte[] bytes = SafeTensors.toBytes(written, Map.of());
    Map<String, Tensor> expected = new LinkedHashMap<>();
    expected.put("lm_head.weight", Tensor.zeros(4, 5));
    expected.put("transformer.wte.weight", Tensor.zeros(5, 4));
    assertContains(assertThrows(IllegalArgumentException.class, () -> SafeTensors.readInto(bytes, expected))
        .getMessage(), "missing [transformer.wte.weight]", "unexpected [transformer.wpe.weight]");
    expected.remove("transformer.wte.weight");
    expected.put("transformer.wpe.weight", Tensor.zeros(8, 4));
    assertContains(assertThrows(IllegalArgumentException.class, () -> SafeTensors.readInto(bytes, expected))
        .getMessage(), "wrong shape: 'lm_head.weight' is (5, 4) in the file but (4, 5) is expected");
  }

  @Test
  void writerRejectsReservedNamesAndNulls() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("format", null);
    assertContains(assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.toBytes(Map.of("w", Tensor.zeros(1)), nullValue)).getMessage(), "metadata", "format");
    assertContains(assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.toBytes(Map.of("__metadata__", Tensor.zeros(1)), Map.of())).getMessage(),
        "'__metadata__'", "reserved");
    Map<String, Tensor> nullTensor = new HashMap<>();
    nullTensor.put("w", null);
    assertContains(assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.toBytes(nullTensor, Map.of())).getMessage(), "tensor 'w' is null");
    assertEquals(0, SafeTensors.read(SafeTensors.toBytes(Map.of(), Map.of())).tensors().size());
  }
}
