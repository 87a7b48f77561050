package io.spindle.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link CheckpointStore} deletes, and the temporary names it writes under: the leftovers of interrupted
 * writes, and the checkpoints beyond its retention. Committed checkpoints ({@code step-N}) are deleted only by
 * retention, never by the clean-up of leftovers.
 *
 * <p>Names: a checkpoint {@code step-N} is written into {@code .step-N.tmp-X} and renamed into place; a rewrite of a
 * committed {@code step-N} first moves that aside to {@code .step-N.old-X} (X: hex digits, unique per write).
 */
final class CheckpointCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCleanup.class);
  private static final Pattern UNFINISHED = Pattern.compile("\\.(step-\\d+)\\.(tmp|old)-[0-9a-f]+");

  private final FileSystem fs;
  private final Path dir;
  /** Committed checkpoints known to verify: written or loaded by the store, or verified here. */
  private final Set<String> verified = new HashSet<>();

  CheckpointCleanup(FileSystem fs, Path dir) {
    this.fs = fs;
    this.dir = dir;
  }

  /** Where checkpoint {@code name} is written before it is committed. */
  Path temporary(String name) {
    return new Path(dir, "." + name + ".tmp-" + Long.toHexString(System.nanoTime()));
  }

  /** Where committed checkpoint {@code name} is moved while a rewrite of it is renamed into place. */
  Path aside(String name) {
    return new Path(dir, "." + name + ".old-" + Long.toHexString(System.nanoTime()));
  }

  /** Records that committed checkpoint {@code name} verified (it was just written, or loaded in full). */
  void markVerified(String name) {
    verified.add(name);
  }

  /** See {@link CheckpointStore#removeUnfinishedWrites}. */
  List<String> removeUnfinishedWrites() throws IOException {
    List<String> handled = new ArrayList<>();
    List<Path> movedAside = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      Matcher m = UNFINISHED.matcher(s.getPath().getName());
      if (!s.isDirectory() || !m.matches()) {
        continue;
      }
      if (m.group(2).equals("old")) {
        movedAside.add(s.getPath());
      } else {
        delete(s.getPath(), "unfinished checkpoint write");
        handled.add(s.getPath().getName());
      }
    }
    for (Path old : movedAside) { // after the .tmp ones, so that a restored step-N is not deleted with them
      Matcher m = UNFINISHED.matcher(old.getName());
      if (!m.matches()) {
        throw new IllegalStateException("listed as moved aside but not so named: " + old);
      }
      Path committed = new Path(dir, m.group(1));
      if (fs.exists(committed)) {
        delete(old, "superseded copy of checkpoint " + m.group(1));
      } else if (fs.rename(old, committed)) {
        LOG.info("restored checkpoint {} from {}, left by an interrupted rewrite", committed, old);
      } else {
        throw new IOException("cannot rename " + old + " back to " + committed);
      }
      handled.add(old.getName());
    }
    return handled;
  }

  /**
   * Deletes every checkpoint of {@code committed} (names, newest first) older than the {@code keep}-th newest one
   * that verifies. A damaged checkpoint among the newest is left in place, with a warning, and not counted.
   */
  void keepNewestValid(List<String> committed, int keep) throws IOException {
    int valid = 0;
    for (String name : committed) {
      if (valid >= keep) {
        delete(new Path(dir, name), "old checkpoint");
      } else if (verifies(name)) {
        valid++;
      }
    }
  }

  /** Whether checkpoint {@code name} verifies (read in full at most once); a failure is logged naming it. */
  private boolean verifies(String name) {
    if (verified.contains(name)) {
      return true;
    }
    try {
      CheckpointManifest.verify(fs, new Path(dir, name));
      verified.add(name);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("checkpoint {} does not verify ({}); left in place, not counted among the checkpoints kept",
          new Path(dir, name), e.getMessage());
      return false;
    }
  }

  private void delete(Path path, String what) throws IOException {
    if (!fs.delete(path, true) && fs.exists(path)) {
      throw new IOException("cannot delete " + what + " " + path);
    }
    LOG.info("deleted {} {}", what, path);
  }
}
