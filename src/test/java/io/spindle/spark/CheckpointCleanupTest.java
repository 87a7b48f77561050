package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.Gpt;
import io.spindle.nn.GptFormat;
import io.spindle.nn.ModelFolder;
import io.spindle.optim.AdamW;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's housekeeping on the local Hadoop file system, without Spark: the leftovers of interrupted writes are
 * removed (or, for a committed checkpoint moved aside by an interrupted rewrite, restored) and nothing else is
 * touched; retention keeps the newest N checkpoints that verify, not merely the newest N names.
 */
class CheckpointCleanupTest {
  @TempDir
  Path dir;

  private final Gpt model = Gpt.create(SparkFixtures.MODEL, SparkFixtures.SEED);
  private final AdamW optimizer = new AdamW(AdamW.Config.defaults(), model.parameters());

  private CheckpointStore open() {
    return CheckpointStore.open(dir.toString(), new Configuration());
  }

  private void write(CheckpointStore store, long step, int keep) throws IOException {
    assertTrue(store.write(new TrainerState(step, 1, 8, 3000, step * 128), model.parameters().values(),
        optimizer.state(), ModelFolder.files(GptFormat.INSTANCE, ModelFolder.Contents.of(model, null)), keep));
  }

  private Set<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      Set<String> names = new TreeSet<>();
      s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).forEach(names::add);
      return names;
    }
  }

  /** Copies committed checkpoint {@code from} to {@code to} (its files, checksums included). */
  private Path copy(String from, String to) throws IOException {
    Path target = Files.createDirectory(dir.resolve(to));
    try (Stream<Path> s = Files.list(dir.resolve(from))) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Files.copy(f, target.resolve(f.getFileName()));
      }
    }
    return target;
  }

  @Test
  void leftoversOfInterruptedWritesAreRemovedAndCommittedCheckpointsKept() throws Exception {
    CheckpointStore store = open();
    write(store, 2, 5);
    write(store, 4, 5);
    byte[] weights = Files.readAllBytes(dir.resolve("step-00000004/model.safetensors"));
    Path partial = copy("step-00000004", ".step-00000006.tmp-1a2b3c"); // a write of step 6, cut off mid-way
    Files.delete(partial.resolve("manifest.json"));
    copy("step-00000002", ".step-00000002.old-4d5e"); // a rewrite of step 2 that finished but for the delete
    copy("step-00000004", ".step-00000008.old-6f"); // a rewrite of step 8 cut off between its two renames
    Files.writeString(dir.resolve("notes.txt"), "not the store's");
    Files.createDirectory(dir.resolve(".step-x.tmp-zz")); // not the store's naming either

    List<String> handled = open().removeUnfinishedWrites();

    assertEquals(Set.of(".step-00000006.tmp-1a2b3c", ".step-00000002.old-4d5e", ".step-00000008.old-6f"),
        Set.copyOf(handled));
    assertEquals(Set.of(".step-x.tmp-zz", "notes.txt", "step-00000002", "step-00000004", "step-00000008"),
        entries());
    CheckpointStore reopened = open();
    assertEquals(List.of("step-00000008", "step-00000004", "step-00000002"), reopened.committed());
    for (String name : reopened.committed()) {
      reopened.verify(name); // every committed checkpoint, the restored one included, still verifies
    }
    assertArrayEquals(weights, Files.readAllBytes(dir.resolve("step-00000004/model.safetensors")));
    assertTrue(reopened.removeUnfinishedWrites().isEmpty(), "nothing left to clean");
  }

  @Test
  void retentionKeepsTheNewestValidCheckpoints() throws Exception {
    CheckpointStore store = open();
    for (long step = 1; step <= 5; step++) {
      write(store, step, 2);
    }
    assertEquals(List.of("step-00000005", "step-00000004"), store.committed());

    Path newest = dir.resolve("step-00000005/model.safetensors");
    try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    Files.deleteIfExists(dir.resolve("step-00000005/.model.safetensors.crc"));
    CheckpointStore later = open(); // a new run: nothing verified yet, so step 5 is read and found truncated
    write(later, 6, 2);
    assertEquals(List.of("step-00000006", "step-00000005", "step-00000004"), later.committed(),
        "the damaged step 5 does not count: steps 6 and 4 are the two valid ones kept");

    write(later, 7, 2);
    assertEquals(List.of("step-00000007", "step-00000006"), later.committed(),
        "everything older than the second valid checkpoint goes, the damaged one too");
  }

  @Test
  void keepingFewerThanOneCheckpointIsRefusedBeforeWriting() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> write(open(), 1, 0));
    assertTrue(e.getMessage().contains("keep checkpoints") && e.getMessage().contains("0"), e.getMessage());
    assertTrue(entries().isEmpty());
  }
}
