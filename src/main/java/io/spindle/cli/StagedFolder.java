package io.spindle.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder written under a temporary sibling name ({@code .NAME.partial-PID-XXXX}, PID the writing process) and
 * renamed to its real name only by {@link #commit()}. Closing without committing (an error, Ctrl-C through the
 * shutdown hook) deletes the partial folder, so the real name only ever holds a complete folder; an existing folder
 * of that name is replaced at commit, and only if {@link ModelFolderTarget} says it may be (checked when staging
 * starts and again just before the replacement).
 *
 * <p>Entries of the existing folder named at creation (a model folder's {@code checkpoints/}, which must survive
 * until the user deletes it) are carried over into the new folder at commit.
 *
 * <p>A process killed outright (SIGKILL, a lost machine) cannot delete its partial folder. The next staging of the
 * same name deletes every {@code .NAME.partial-PID-*} whose process is no longer alive, saying so on stderr, and
 * nothing else. Temporary names stay within the 255 bytes file systems allow: a long NAME is shortened in them.
 */
final class StagedFolder implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private final List<String> carried;
  private final Thread cleanup;
  private boolean committed;

  private StagedFolder(Path target, Path staging, List<String> carried) {
    this.target = target;
    this.staging = staging;
    this.carried = carried;
    this.cleanup = new Thread(this::deleteStaging, "spindle-staged-folder-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /**
   * Starts staging {@code target} (absolute, normalized), carrying the entries named {@code carried} over from an
   * existing folder at commit; refuses a target that may not be replaced.
   */
  static StagedFolder create(Path target, String... carried) throws IOException {
    ModelFolderTarget.checkReplaceable(target);
    Path parent = target.getParent();
    Files.createDirectories(parent);
    removeLeftovers(target);
    // A plain directory (not createTempDirectory, whose owner-only permissions would stick to the model folder).
    Path staging = parent.resolve(siblingName(target, "partial") + ProcessHandle.current().pid() + "-"
        + Long.toHexString(System.nanoTime()));
    return new StagedFolder(target, Files.createDirectory(staging), List.of(carried));
  }

  /**
   * {@code .NAME.KIND-}, NAME shortened (by whole code points) so that the temporary name, with the up to 36
   * characters that follow, fits in 255 bytes of UTF-8.
   */
  private static String siblingName(Path target, String kind) {
    String name = target.getFileName().toString();
    int budget = 255 - 36 - kind.length() - 3;
    while (name.getBytes(StandardCharsets.UTF_8).length > budget) {
      name = name.substring(0, name.offsetByCodePoints(name.length(), -1));
    }
    return "." + name + "." + kind + "-";
  }

  /** Deletes the partial folders of {@code target} left by processes that are no longer alive. */
  private static void removeLeftovers(Path target) throws IOException {
    Pattern leftover = Pattern.compile(Pattern.quote(siblingName(target, "partial")) + "(\\d+)-[0-9a-f]+");
    List<Path> dead = new ArrayList<>();
    try (Stream<Path> siblings = Files.list(target.getParent())) {
      siblings.forEach(p -> {
        Matcher m = leftover.matcher(p.getFileName().toString());
        if (m.matches() && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !alive(m.group(1))) {
          dead.add(p);
        }
      });
    }
    for (Path p : dead) {
      deleteTree(p);
      System.err.println("spindle: removed " + p + ", left by an interrupted run");
    }
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true; // not a pid we wrote: leave it alone
    }
  }

  /** Where to write the folder's files. */
  Path path() {
    return staging;
  }

  /**
   * Moves the staged folder to its real name, replacing an existing folder of that name after moving its carried
   * entries into the new one (an entry the staged folder holds too stays in the old folder, which is deleted).
   */
  synchronized void commit() throws IOException {
    ModelFolderTarget.checkReplaceable(target); // again: the folder may have changed during a long run
    Path old = null;
    if (Files.exists(target)) {
      for (String name : carried) {
        if (Files.exists(target.resolve(name), LinkOption.NOFOLLOW_LINKS)
            && !Files.exists(staging.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
          move(target.resolve(name), staging.resolve(name));
        }
      }
      old = target.resolveSibling(siblingName(target, "old") + Long.toHexString(System.nanoTime()));
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
