package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train-lm --model-dir} replaces only what is recognisably a Spindle model folder: a folder holding a user's
 * file is refused before any training and left as it was, however it is named ({@code .}, {@code /}, a home folder),
 * and the partial folders of killed runs are cleaned up, but only those.
 */
class ModelFolderSafetyTest {
  @TempDir
  static Path dir;
  static Path text;

  @BeforeAll
  static void writeText() throws Exception {
    text = CliTest.writeTinyText(dir);
  }

  static String[] trainArgs(String modelDir) {
    return CliTest.tinyTrainArgs(text, modelDir);
  }

  private static void assertRefused(int status, String err, Path folder) {
    assertEquals(1, status, err);
    assertTrue(err.contains("is not a Spindle model folder") && err.contains(folder.toString()), err);
    assertFalse(err.contains("\tat "), err);
  }

  @Test
  void aFolderHoldingAUserFileIsRefusedAndLeftAsItWas() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("thesis"));
    Files.writeString(folder.resolve("chapter1.tex"), "my work");
    CliTest.Run r = CliTest.run(trainArgs(folder.toString()));
    assertRefused(r.status(), r.err(), folder);
    assertTrue(r.err().contains("chapter1.tex"), r.err());
    assertEquals("my work", Files.readString(folder.resolve("chapter1.tex")));
    assertEquals(List.of("chapter1.tex"), names(folder));
    assertTrue(names(dir).stream().noneMatch(n -> n.startsWith(".thesis.")), names(dir).toString());
  }

  @Test
  void aModelFolderWithAUserFileBesideItIsRefused() throws Exception {
    Path model = dir.resolve("model-plus");
    assertEquals(0, CliTest.run(trainArgs(model.toString())).status());
    Files.writeString(model.resolve("notes.txt"), "keep me");
    CliTest.Run r = CliTest.run(trainArgs(model.toString()));
    assertRefused(r.status(), r.err(), model);
    assertEquals("keep me", Files.readString(model.resolve("notes.txt")));

    Path noType = Files.createDirectories(dir.resolve("no-type"));
    Files.writeString(noType.resolve("config.json"), "{\"n_layer\": 1}"); // not ours: no model_type
    CliTest.Run noTypeRun = CliTest.run(trainArgs(noType.toString()));
    assertRefused(noTypeRun.status(), noTypeRun.err(), noType);
    assertTrue(Files.exists(noType.resolve("config.json")));
  }

  @Test
  void aModelFolderAnEmptyFolderAndALongNameAreWritten() throws Exception {
    Path model = dir.resolve("model-twice");
    assertEquals(0, CliTest.run(trainArgs(model.toString())).status());
    CliTest.Run again = CliTest.run(trainArgs(model.toString()));
    assertEquals(0, again.status(), again.err());
    Path empty = Files.createDirectories(dir.resolve("empty-folder"));
    assertEquals(0, CliTest.run(trainArgs(empty.toString())).status());
    assertTrue(Files.isRegularFile(empty.resolve("config.json")));
    Path longName = dir.resolve("m".repeat(250)); // legal (at most 255 bytes); the temporary names are longer
    CliTest.Run r = CliTest.run(trainArgs(longName.toString()));
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isRegularFile(longName.resolve("model.safetensors")));
  }

  @Test
  void dotRootAndAHomeFolderAreRefusedInAUsersShell() throws Exception {
    Path work = Files.createDirectories(dir.resolve("project"));
    Files.writeString(work.resolve("pom.xml"), "<project/>");
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve(".bashrc"), "export X=1");
    Map<String, String> env = Map.of("HOME", home.toString());
    for (String modelDir : new String[] {".", "/", home.toString()}) {
      ChildCli.Run r = ChildCli.run(work, "512m", env, Duration.ofSeconds(60), trainArgs(modelDir));
      assertFalse(r.timedOut(), modelDir);
      assertEquals(1, r.status(), modelDir + ": " + r.err());
      assertTrue(r.err().contains("spindle: --model-dir"), r.err());
    }
    assertEquals("<project/>", Files.readString(work.resolve("pom.xml")));
    assertEquals(List.of("pom.xml"), names(work));
    assertEquals("export X=1", Files.readString(home.resolve(".bashrc")));
    assertEquals(List.of(".bashrc"), names(home));
  }

  @Test
  void partialFoldersOfDeadRunsAreRemovedAndNothingElse() throws Exception {
    Path parent = Files.createDirectories(dir.resolve("leftovers"));
    Path dead = Files.createDirectories(parent.resolve(".model.partial-2147483646-1f")); // no such process
    Files.writeString(dead.resolve("model.safetensors"), "");
    Path alive = Files.createDirectories(parent.resolve(".model.partial-" + ProcessHandle.current().pid() + "-2e"));
    Path otherModel = Files.createDirectories(parent.resolve(".other.partial-2147483646-3d"));
    Path userFolder = Files.createDirectories(parent.resolve(".model.partial-notes"));
    CliTest.Run r = CliTest.run(trainArgs(parent.resolve("model").toString()));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().contains("removed " + dead), r.err());
    assertFalse(Files.exists(dead));
    assertTrue(Files.isDirectory(alive) && Files.isDirectory(otherModel) && Files.isDirectory(userFolder));
  }

  private static List<String> names(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      List<String> names = new ArrayList<>();
      s.forEach(p -> names.add(p.getFileName().toString()));
      names.sort(null);
      return names;
    }
  }
}
