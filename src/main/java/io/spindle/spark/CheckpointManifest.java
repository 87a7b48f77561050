package io.spindle.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.nn.ModelFolder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code manifest.json} of a checkpoint: the size in bytes and SHA-256 of every other file in it, written last, so
 * that a truncated file, a flipped byte or a missing file is detected before anything is parsed.
 * <pre>
 *   {"format": "spindle-checkpoint", "version": 1,
 *    "files": {"config.json": {"bytes": 190, "sha256": "9f86d0..."}, ...}}
 * </pre>
 */
final class CheckpointManifest {
  static final String FILE_NAME = "manifest.json";
  private static final String FORMAT = "spindle-checkpoint";
  private static final List<String> REQUIRED = List.of(ModelFolder.CONFIG, ModelFolder.WEIGHTS,
      CheckpointStore.OPTIMIZER, CheckpointStore.TRAINER);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BUFFER = 1 << 16;

  private final Map<String, Entry> files = new LinkedHashMap<>();

  private record Entry(long bytes, String sha256) {}

  /** Writes {@code dir/name} from {@code content}, recording its size and digest. */
  void write(FileSystem fs, Path dir, String name, ModelFolder.Content content) throws IOException {
    MessageDigest sha = sha256();
    long bytes;
    try (OutputStream file = fs.create(new Path(dir, name), false)) {
      CountingStream counting = new CountingStream(file);
      OutputStream out = new BufferedOutputStream(new DigestOutputStream(counting, sha), BUFFER);
      content.writeTo(out);
      out.flush();
      bytes = counting.count;
    }
    files.put(name, new Entry(bytes, HexFormat.of().formatHex(sha.digest())));
  }

  /** Writes the manifest itself into {@code dir}. */
  void commit(FileSystem fs, Path dir) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("version", 1);
    ObjectNode list = o.putObject("files");
    files.forEach((name, e) -> list.putObject(name).put("bytes", e.bytes()).put("sha256", e.sha256()));
    try (OutputStream out = fs.create(new Path(dir, FILE_NAME), false)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    }
  }

  /** Whether the manifest lists {@code name}. */
  boolean lists(String name) {
    return files.containsKey(name);
  }

  /** Size of {@code name} as recorded. */
  long bytes(String name) {
    return files.get(name).bytes();
  }

  /**
   * Reads the manifest of {@code checkpoint} and checks the size and digest of {@code only} (or, if none given, of
   * every file it lists, all required ones among them); throws {@link IOException} naming the first problem.
   */
  static CheckpointManifest verify(FileSystem fs, Path checkpoint, String... only) throws IOException {
    CheckpointManifest m = read(fs, checkpoint);
    for (String name : REQUIRED) {
      if (!m.files.containsKey(name)) {
        throw new IOException(FILE_NAME + " does not list " + name);
      }
    }
    Iterable<String> names = only.length > 0 ? List.of(only) : m.files.keySet();
    for (String name : names) {
      Entry e = m.files.get(name);
      Path file = new Path(checkpoint, name);
      if (!fs.exists(file)) {
        throw new IOException(name + " is missing");
      }
      long length = fs.getFileStatus(file).getLen();
      if (length != e.bytes()) {
        throw new IOException(name + " has " + length + " bytes, the manifest says " + e.bytes()
            + (length < e.bytes() ? " (truncated)" : ""));
      }
      MessageDigest sha = sha256();
      byte[] buffer = new byte[BUFFER];
      try (InputStream in = fs.open(file)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          sha.update(buffer, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(sha.digest());
      if (!actual.equals(e.sha256())) {
        throw new IOException(name + " has SHA-256 " + actual + ", the manifest says " + e.sha256()
            + " (the file is corrupt)");
      }
    }
    return m;
  }

  private static CheckpointManifest read(FileSystem fs, Path checkpoint) throws IOException {
    Path file = new Path(checkpoint, FILE_NAME);
    if (!fs.exists(file)) {
      throw new IOException(FILE_NAME + " is missing (incomplete checkpoint)");
    }
    JsonNode o;
    try (InputStream in = fs.open(file)) {
      o = JSON.readTree(in);
    } catch (IOException e) {
      throw new IOException(FILE_NAME + " is not valid JSON: " + e.getMessage(), e);
    }
    if (o == null || !FORMAT.equals(o.path("format").asText()) || o.path("version").asInt() != 1
        || !o.path("files").isObject()) {
      throw new IOException(FILE_NAME + " is not a version 1 " + FORMAT + " manifest");
    }
    CheckpointManifest m = new CheckpointManifest();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.get("files").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode bytes = f.getValue().path("bytes");
      JsonNode sha = f.getValue().path("sha256");
      if (!bytes.isIntegralNumber() || !sha.isTextual() || f.getKey().contains("/")) {
        throw new IOException(FILE_NAME + ": bad entry for " + f.getKey());
      }
      m.files.put(f.getKey(), new Entry(bytes.asLong(), sha.asText()));
    }
    return m;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Counts the bytes that reach the file. */
  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
