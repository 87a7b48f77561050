package io.spindle.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A folder written under a temporary sibling name ({@code .NAME.partial-XXXX}) and renamed to its real name only by
 * {@link #commit()}. Closing without committing (an error, Ctrl-C through the shutdown hook) deletes the partial
 * folder, so the real name only ever holds a complete folder; an existing folder of that name is replaced at commit.
 */
final class StagedFolder implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private final Thread cleanup;
  private boolean committed;

  private StagedFolder(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
    this.cleanup = new Thread(this::deleteStaging, "spindle-staged-folder-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  static StagedFolder create(Path target) throws IOException {
    Path parent = target.getParent();
    Files.createDirectories(parent);
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new FileAlreadyExistsException(target + " exists and is not a directory");
    }
    // A plain directory (not createTempDirectory, whose owner-only permissions would stick to the model folder).
    Path staging = parent.resolve("." + target.getFileName() + ".partial-" + Long.toHexString(System.nanoTime()));
    return new StagedFolder(target, Files.createDirectory(staging));
  }

  /** Where to write the folder's files. */
  Path path() {
    return staging;
  }

  /** Moves the staged folder to its real name, replacing an existing folder of that name. */
  synchronized void commit() throws IOException {
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + Long.toHexString(System.nanoTime()));
      move(target, old);
    }
    move(staging, target);
    committed = true;
    if (old != null) {
      deleteTree(old);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      return; // the hook is running or about to: it cleans up
    }
    deleteStaging();
  }

  private synchronized void deleteStaging() {
    if (!committed) {
      try {
        deleteTree(staging);
      } catch (IOException e) {
        System.err.println("spindle: could not delete partial folder " + staging + ": " + e.getMessage());
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
