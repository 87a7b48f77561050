package io.spindle.spark;

import io.spindle.nn.ModelFolder;
import io.spindle.optim.OptimizerState;
import io.spindle.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of a training run, in one directory of any Hadoop {@link FileSystem} ({@code file:},
 * {@code hdfs:}, {@code s3a:}...).
 *
 * <p>Layout: {@code DIR/step-00000100/} holds the files of a model folder ({@code config.json},
 * {@code model.safetensors} and the tokenizers the run has, written by {@link io.spindle.nn.ModelFolder}, so a
 * checkpoint is also a model folder), the trainer's own files ({@link TrainingCheckpoint}), {@code optimizer.bin}
 * ({@link OptimizerState#write}), {@code trainer.json} ({@link TrainerState}) and {@code manifest.json}, which lists
 * every other file with its size and SHA-256 ({@link CheckpointManifest}). The store itself knows nothing of model
 * families: it writes, verifies, commits, lists and deletes.
 *
 * <p>Writing: the files go into {@code DIR/.step-00000100.tmp-N}, the manifest last, and the directory is renamed to
 * its final name: a checkpoint directory without the {@code .tmp} suffix is complete unless damaged afterwards. Weights
 * or optimizer moments that are not all finite are never written. Rewriting a committed step first moves the old one
 * aside to {@code DIR/.step-00000100.old-N}, deleted once the new one is in place.
 *
 * <p>Retention: after each write only the newest {@code keep} <em>valid</em> checkpoints are kept; every one older
 * than the oldest of those is deleted. A damaged checkpoint (manifest or files do not verify) does not count towards
 * {@code keep}; if newer than the oldest kept it stays in place (and {@link #latestValid} skips it). Each checkpoint
 * is read in full for this at most once per store; those the store wrote or loaded count as verified.
 *
 * <p>Leftovers: an interrupted write leaves a {@code .tmp} directory (and, when it was rewriting a committed step, an
 * {@code .old} one); {@link #removeUnfinishedWrites} clears them at the start of a run. One run uses a directory at
 * a time: a second run writing into it concurrently could lose an unfinished write to the other's clean-up.

 *
 * <p>Reading: {@link #latestValid} tries the committed checkpoints newest first and returns the first whose manifest
 * and files verify and parse; each one skipped (truncated, a flipped byte, a file missing) and each leftover
 * {@code .tmp} directory is reported in a warning naming it.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  public static final String OPTIMIZER = "optimizer.bin";
  public static final String TRAINER = "trainer.json";
  private static final Pattern COMMITTED = Pattern.compile("step-(\\d+)");

  private final FileSystem fs;
  private final Path dir;
  private final CheckpointCleanup cleanup;

  private CheckpointStore(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
    this.cleanup = new CheckpointCleanup(fs, dir);
  }

  /**
   * The store at {@code location} (a Hadoop path or URI), created if missing. Throws {@link IllegalArgumentException}
   * naming the location if it cannot be reached, created or listed, or is a file.
   */
  public static CheckpointStore open(String location, Configuration hadoopConf) {
    try {
      Path path = new Path(location);
      FileSystem fs = path.getFileSystem(hadoopConf);
      Path dir = fs.makeQualified(path);
      if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
        throw new IllegalArgumentException("checkpoint directory " + dir + " is a file");
      }
      if (!fs.mkdirs(dir)) {
        throw new IllegalArgumentException("checkpoint directory " + dir + " cannot be created");
      }
      fs.listStatus(dir);
      return new CheckpointStore(fs, dir);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null
          && e.getMessage().startsWith("checkpoint directory")) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("checkpoint directory " + location + " is not usable: " + e.getMessage(), e);
    }
  }

  /** The directory, fully qualified. */
  public String location() {
    return dir.toString();
  }

  /** Names of the committed checkpoints, newest (highest step) first. */
  public List<String> committed() throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.isDirectory() && COMMITTED.matcher(s.getPath().getName()).matches()) {
        names.add(s.getPath().getName());
      }
    }
    names.sort(Comparator.comparingLong(CheckpointStore::stepOf).reversed());
    return names;
  }

  /**
   * Deletes what interrupted writes left behind, logging each at INFO: every {@code .step-N.tmp-X} directory (never
   * committed) and every {@code .step-N.old-X} one whose {@code step-N} exists (a superseded copy). An {@code .old}
   * directory without its {@code step-N} is the committed checkpoint of a rewrite interrupted between its two renames:
   * it is renamed back to {@code step-N}. Committed checkpoints are never touched. Returns the names of the
   * directories deleted or restored. Call at the start of a run, before the first write.
   */
  public List<String> removeUnfinishedWrites() throws IOException {
    return cleanup.removeUnfinishedWrites();
  }

  /** Reads one checkpoint by name, throwing naming the problem if it does not verify or parse. */
  @FunctionalInterface
  public interface Loader<T> {
    T load(String name) throws IOException;
  }

  /** The newest checkpoint that {@code loader} reads without error, if any; each one skipped is logged. */
  public <T> Optional<T> latestValid(Loader<T> loader) throws IOException {
    for (FileStatus s : fs.listStatus(dir)) {
      if (s.getPath().getName().startsWith(".step-")) {
        LOG.warn("ignoring partial checkpoint {} (never committed)", s.getPath());
      }
    }
    for (String name : committed()) {
      try {
        return Optional.of(loader.load(name));
      } catch (IOException | RuntimeException e) {
        LOG.warn("skipping checkpoint {}: {}", new Path(dir, name), e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * Checks every file of checkpoint {@code name} against its manifest (sizes and SHA-256) and returns a handle to
   * read them; throws {@link IOException} naming the first problem.
   */
  public Verified verify(String name) throws IOException {
    Path cp = new Path(dir, name);
    Verified verified = new Verified(cp, CheckpointManifest.verify(fs, cp));
    cleanup.markVerified(name);
    return verified;
  }

  /**
   * A committed checkpoint whose files verified against its manifest; as a {@link ModelFolder.Source} it opens only
   * the files the manifest lists, with their verified sizes.
   */
  public final class Verified implements ModelFolder.Source {
    private final Path path;
    private final CheckpointManifest manifest;

    private Verified(Path path, CheckpointManifest manifest) {
      this.path = path;
      this.manifest = manifest;
    }

    public String location() {
      return path.toString();
    }

    /** Whether the manifest lists {@code file}. */
    @Override
    public boolean has(String file) {
      return manifest.lists(file);
    }

    /** Size of {@code file} in bytes, as verified. */
    @Override
    public long length(String file) {
      return manifest.bytes(file);
    }

    @Override
    public String where(String file) {
      return path + "/" + file;
    }

    /** Opens {@code file}, which the manifest must list. */
    @Override
    public InputStream open(String file) throws IOException {
      if (!has(file)) {
        throw new IOException(CheckpointManifest.FILE_NAME + " does not list " + file);
      }
      return CheckpointStore.this.open(path, file);
    }

    /** optimizer.bin, which must hold the state of an optimizer of {@code parameters} parameters. */
    public OptimizerState optimizer(int parameters) throws IOException {
      OptimizerState optimizer;
      try (InputStream in = open(OPTIMIZER)) {
        optimizer = OptimizerState.read(in);
      }
      if (optimizer.length() != parameters) {
        throw new IOException("optimizer state of " + optimizer.length() + " parameters for a model of "
            + parameters);
      }
      return optimizer;
    }

    /** trainer.json. */
    public TrainerState trainer() throws IOException {
      try (InputStream in = open(TRAINER)) {
        return TrainerState.read(in);
      }
    }
  }

  /**
   * Writes and commits the checkpoint of {@code state.step()}: the model's {@code files} (config.json and
   * model.safetensors among them, in this order), then optimizer.bin and trainer.json; keeps the newest
   * {@code keep} valid ones. Returns false, writing nothing, if {@code weights} or a moment is not finite (with a
   * warning).
   */
  public boolean write(TrainerState state, Tensor weights, OptimizerState optimizer,
      Map<String, ModelFolder.Content> files, int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep checkpoints must be >= 1, got " + keep);
    }
    if (!allFinite(weights, optimizer)) {
      LOG.warn("step {}: weights or optimizer state not finite; checkpoint not written", state.step());
      return false;
    }
    String name = String.format("step-%08d", state.step());
    Path tmp = cleanup.temporary(name);
    Path target = new Path(dir, name);
    if (!fs.mkdirs(tmp)) {
      throw new IOException("cannot create " + tmp);
    }
    CheckpointManifest manifest = new CheckpointManifest();
    for (Map.Entry<String, ModelFolder.Content> file : files.entrySet()) {
      manifest.write(fs, tmp, file.getKey(), file.getValue());
    }
    manifest.write(fs, tmp, OPTIMIZER, optimizer::write);
    manifest.write(fs, tmp, TRAINER, state::write);
    manifest.commit(fs, tmp);
    if (fs.exists(target)) {
      Path old = cleanup.aside(name);
      rename(target, old);
      rename(tmp, target);
      fs.delete(old, true);
    } else {
      rename(tmp, target);
    }
    cleanup.markVerified(name);
    cleanup.keepNewestValid(committed(), keep);
    return true;
  }

  private static boolean allFinite(Tensor values, OptimizerState optimizer) {
    for (int i = 0; i < values.size(); i++) {
      if (!Float.isFinite(values.get(i))) {
        return false;
      }
    }
    for (int b = 0; b < optimizer.bufferCount(); b++) {
      for (float x : optimizer.buffer(b)) {
        if (!Float.isFinite(x)) {
          return false;
        }
      }
    }
    return true;
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  private InputStream open(Path checkpoint, String file) throws IOException {
    return new BufferedInputStream(fs.open(new Path(checkpoint, file)));
  }

  private static long stepOf(String name) {
    Matcher m = COMMITTED.matcher(name);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
