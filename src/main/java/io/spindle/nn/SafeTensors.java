package io.spindle.nn;

import io.spindle.tensor.Shape;
import io.spindle.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@link SafeTensorsHeader}), then the data buffer of row-major little-endian tensors back to back.
 *
 * <p>Writing produces F32 only, in the map's iteration order, with the header padded by spaces to a multiple of 8
 * bytes. Reading accepts F32, F16 and BF16 and converts to float32. Every entry point works on a {@link Path}, an
 * {@link InputStream} / {@link OutputStream} (a Hadoop {@code FSDataInputStream}, say) or a byte array; streams are
 * read and written sequentially in chunks, never closed here, and never fully buffered.
 *
 * <p>A malformed file is an {@link IllegalArgumentException} whose message starts with {@code safetensors:} and
 * names the tensor at fault; I/O failures are {@link IOException}s. Where the input's length is known (a path or a
 * byte array) the whole layout is validated before any tensor data is read; a stream of unknown length is checked
 * for truncation and trailing bytes as it is read, so {@code readInto} may have filled some destinations by then.
 */
public final class SafeTensors {
  /** Largest header accepted, as in the reference implementation; a larger length means a corrupt file. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final int CHUNK_BYTES = 1 << 16; // a multiple of every element size

  private SafeTensors() {}

  /** Writes {@code tensors} as F32 in iteration order, with {@code metadata} (may be empty), to {@code out}. */
  public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
      throws IOException {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("safetensors: cannot write: tensor '" + e.getKey() + "' is "
            + e.getValue() + "; names and tensors must be non-null");
      }
      if (e.getKey().equals(SafeTensorsHeader.METADATA_KEY)) {
        throw new IllegalArgumentException("safetensors: cannot write a tensor named '" + e.getKey()
            + "': the name is reserved for the metadata");
      }
      shapes.put(e.getKey(), e.getValue().shape());
    }
    metadata.forEach((key, value) -> {
      if (key == null || value == null) {
        throw new IllegalArgumentException("safetensors: cannot write metadata '" + key + "' = " + value
            + ": keys and values must be non-null");
      }
    });
    byte[] header = SafeTensorsHeader.forFloat32(shapes, metadata).bytes();
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
    out.write(header);
    byte[] chunk = new byte[CHUNK_BYTES];
    FloatBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    for (Tensor t : tensors.values()) {
      for (int i = 0; i < t.size(); i += floats.capacity()) {
        int n = Math.min(floats.capacity(), t.size() - i);
        floats.put(0, t.buffer(), t.offset() + i, n);
        out.write(chunk, 0, 4 * n);
      }
    }
  }

  /** Writes {@code tensors} and {@code metadata} to {@code file}, replacing it if it exists. */
  public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      write(tensors, metadata, out);
    }
  }

  /** The bytes of a safetensors file holding {@code tensors} and {@code metadata} (which must fit in 2 GiB). */
  public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(tensors, metadata, out);
    } catch (IOException e) {
      throw new UncheckedIOException("ByteArrayOutputStream does not throw", e);
    }
    return out.toByteArray();
  }

  /** The validated header of {@code file}, without reading tensor data. */
  public static SafeTensorsHeader readHeader(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return readHeader(in, Files.size(file));
    }
  }

  /** Reads the length prefix and header from {@code in}, leaving it at the first byte of the data buffer. */
  public static SafeTensorsHeader readHeader(InputStream in) throws IOException {
    return readHeader(in, -1);
  }

  /** Every tensor of {@code file} as float32, with the metadata. */
  public static SafeTensorsFile read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, Files.size(file));
    }
  }

  /** Every tensor of the safetensors file that {@code in} holds (read to its end), with the metadata. */
  public static SafeTensorsFile read(InputStream in) throws IOException {
    return read(in, -1);
  }

  /** Every tensor of the safetensors file {@code bytes}, with the metadata. */
  public static SafeTensorsFile read(byte[] bytes) {
    try {
      return read(new ByteArrayInputStream(bytes), bytes.length);
    } catch (IOException e) {
      throw new UncheckedIOException("ByteArrayInputStream does not throw", e);
    }
  }

  /**
   * Copies the tensors of {@code file} into {@code destinations} (by name), converting to float32, and returns the
   * metadata. The file must hold exactly the destinations' names, each with the destination's shape; a mismatch
   * throws naming every missing, unexpected and wrongly shaped tensor, before any destination is written. Made for
   * {@code Parameters} views: {@code name -> parameters.get(name).value()}.
   */
  public static Map<String, String> readInto(Path file, Map<String, Tensor> destinations) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return readInto(in, Files.size(file), destinations);
    }
  }

  /** {@link #readInto(Path, Map)} from a stream, read to its end. */
  public static Map<String, String> readInto(InputStream in, Map<String, Tensor> destinations) throws IOException {
    return readInto(in, -1, destinations);
  }

  /** {@link #readInto(Path, Map)} from the bytes of a file. */
  public static Map<String, String> readInto(byte[] bytes, Map<String, Tensor> destinations) {
    try {
      return readInto(new ByteArrayInputStream(bytes), bytes.length, destinations);
    } catch (IOException e) {
      throw new UncheckedIOException("ByteArrayInputStream does not throw", e);
    }
  }

  /**
   * {@link #readHeader(InputStream)} where the input's total length in bytes is known (a Hadoop
   * {@code FileStatus.getLen()}, say), so the whole layout is validated against it; -1 means unknown.
   */
  public static SafeTensorsHeader readHeader(InputStream in, long length) throws IOException {
    byte[] prefix = in.readNBytes(8);
    if (prefix.length < 8) {
      throw new IllegalArgumentException("safetensors: input ends after " + prefix.length
          + " bytes, inside the 8-byte header length");
    }
    long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong(); // unsigned u64
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("safetensors: header length " + Long.toUnsignedString(headerLength)
          + " is absurdly large (limit " + MAX_HEADER_BYTES + " bytes)");
    }
    if (length >= 0 && headerLength > length - 8) {
      throw new IllegalArgumentException("safetensors: header length " + headerLength + " runs past the end of the"
          + " file (" + (length - 8) + " bytes follow the length prefix)");
    }
    byte[] header = in.readNBytes((int) headerLength);
    if (header.length < headerLength) {
      throw new IllegalArgumentException("safetensors: header length " + headerLength + " runs past the end of the"
          + " input (" + header.length + " bytes follow the length prefix)");
    }
    return SafeTensorsHeader.parse(header, length < 0 ? -1 : length - 8 - headerLength);
  }

  /**
   * {@link #read(InputStream)} where the input's total length in bytes is known, so the layout is validated before
   * any tensor is allocated (a stream of unknown length, -1, is trusted to hold what its header promises until it
   * ends early).
   */
  public static SafeTensorsFile read(InputStream in, long length) throws IOException {
    SafeTensorsHeader header = readHeader(in, length);
    checkReadable(header.entries());
    Map<String, TensorData> byName = new LinkedHashMap<>();
    readData(in, header, length < 0, e -> {
      TensorData data = new TensorData(e.shape(), new float[e.size()]);
      byName.put(e.name(), data);
      return data.toTensor();
    });
    Map<String, TensorData> inHeaderOrder = new LinkedHashMap<>();
    for (String name : header.names()) {
      inHeaderOrder.put(name, byName.get(name));
    }
    return new SafeTensorsFile(header.metadata(), inHeaderOrder);
  }

  /** {@link #readInto(InputStream, Map)} where the input's total length in bytes is known (or -1, unknown). */
  public static Map<String, String> readInto(InputStream in, long length, Map<String, Tensor> destinations)
      throws IOException {
    SafeTensorsHeader header = readHeader(in, length);
    checkMatches(header, destinations);
    checkReadable(header.entries());
    readData(in, header, length < 0, e -> destinations.get(e.name()));
    return header.metadata();
  }

  /** Throws naming every tensor that is missing from the file, unexpected in it, or of another shape. */
  private static void checkMatches(SafeTensorsHeader header, Map<String, Tensor> destinations) {
    List<String> missing = new ArrayList<>();
    for (String name : destinations.keySet()) {
      if (header.entry(name) == null) {
        missing.add(name);
      }
    }
    List<String> unexpected = new ArrayList<>();
    List<String> misshapen = new ArrayList<>();
    for (SafeTensorsHeader.Entry e : header.entries()) {
      Tensor destination = destinations.get(e.name());
      if (destination == null) {
        unexpected.add(e.name());
      } else if (!destination.hasShape(e.shape())) {
        misshapen.add("'" + e.name() + "' is " + Shape.toString(e.shape()) + " in the file but "
            + Shape.toString(destination.shape()) + " is expected");
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      throw new IllegalArgumentException("safetensors: the file's tensors do not match the expected names: missing "
          + missing + ", unexpected " + unexpected);
    }
    if (!misshapen.isEmpty()) {
      throw new IllegalArgumentException("safetensors: wrong shape: " + String.join("; ", misshapen));
    }
  }

  private static void checkReadable(List<SafeTensorsHeader.Entry> entries) {
    for (SafeTensorsHeader.Entry e : entries) {
      if (!e.dtype().isReadable()) {
        throw new IllegalArgumentException("safetensors: tensor '" + e.name() + "' has dtype " + e.dtype()
            + "; only F32, F16 and BF16 can be read as float32");
      }
    }
  }

  /**
   * Reads the data buffer sequentially, decoding each tensor into the tensor {@code destination} gives for its
   * entry. The header guarantees the entries tile {@code [0, dataLength)}, so file order is begin order.
   */
  private static void readData(InputStream in, SafeTensorsHeader header, boolean checkEnd,
      Function<SafeTensorsHeader.Entry, Tensor> destination) throws IOException {
    List<SafeTensorsHeader.Entry> inFileOrder = new ArrayList<>(header.entries());
    inFileOrder.sort(Comparator.comparingLong(SafeTensorsHeader.Entry::begin));
    byte[] chunk = new byte[CHUNK_BYTES];
    for (SafeTensorsHeader.Entry e : inFileOrder) {
      Tensor dst = destination.apply(e);
      int elementBytes = e.dtype().bytes();
      long remaining = e.end() - e.begin();
      int done = 0;
      while (remaining > 0) {
        int n = (int) Math.min(CHUNK_BYTES, remaining);
        int got = in.readNBytes(chunk, 0, n);
        if (got < n) {
          throw new IllegalArgumentException("safetensors: tensor '" + e.name() + "': input ends inside its data ["
              + e.begin() + ", " + e.end() + "), at data byte " + (e.end() - remaining + got));
        }
        ByteBuffer bytes = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        e.dtype().decode(bytes, dst.buffer(), dst.offset() + done, n / elementBytes);
        done += n / elementBytes;
        remaining -= n;
      }
    }
    if (checkEnd && in.read() != -1) {
      throw new IllegalArgumentException("safetensors: input continues after the last tensor, which ends at data"
          + " byte " + header.dataLength());
    }
  }
}
