package io.spindle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The one line a failure becomes, whatever the exception says or does not say. */
class MainTest {
  @Test
  void aFileSystemErrorThatCarriesOnlyAPathSaysWhatHappenedToIt() {
    assertEquals("-: no such file or folder", Main.describe(new NoSuchFileException("-")));
    assertEquals("OUT/parentfile: already exists", Main.describe(new FileAlreadyExistsException("OUT/parentfile")));
    assertEquals("/root/x: permission denied", Main.describe(new AccessDeniedException("/root/x")));
    assertEquals("a: Is a directory", Main.describe(new FileSystemException("a", null, "Is a directory")));
  }

  @Test
  void messagesBecomeOneLine() {
    assertEquals("first second third", Main.describe(new IllegalArgumentException("first\n  second\r\nthird\n")));
    assertEquals("NullPointerException", Main.describe(new NullPointerException()));
    assertEquals("job failed: Lost task 0.0: java.io.EOFException: Unexpected end of input stream",
        Main.describe(new IllegalStateException("job failed: Lost task 0.0: java.io.EOFException: Unexpected end of "
            + "input stream\n\tat org.apache.hadoop.io.compress.DecompressorStream.decompress(DecompressorStream.java:"
            + "165)\n\tat java.base/java.lang.Thread.run(Thread.java:840)\n\t... 12 more\n\nDriver stacktrace:\n"
            + "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)")));
  }

  @Test
  void runningOutOfMemoryAnywhereNamesTheLimitAndHowToRaiseIt() {
    String line = Main.describe(new UncheckedIOException("wrapped",
        new IOException(new ExecutionException(new OutOfMemoryError("Java heap space")))));
    assertTrue(line.startsWith("out of memory (Java heap space)") && line.contains("SPINDLE_JAVA_OPTS=-Xmx"), line);
  }

  @Test
  void floatingPointOptionsRefuseNanAndInfinityWhileParsing() {
    CliTest.Run r = CliTest.run("generate", "--model-dir", "m", "--prompt", "x", "--temperature", "-Infinity");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("spindle: Invalid value for option '--temperature': '-Infinity' is not a finite"),
        r.err());
  }
}
