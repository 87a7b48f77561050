package io.spindle.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of a {@code fortune} file: texts separated by lines holding a single {@code %}. Each entry keeps its
 * inner line breaks ({@code \n}; {@code \r\n} is accepted) without trailing ones; entries that are empty or only
 * whitespace are dropped. Files are read with {@link Texts#read(Path)}, so gzip works too.
 */
public final class Fortunes {
  private Fortunes() {}

  public static List<String> read(Path file) throws IOException {
    return parse(Texts.read(file));
  }

  /** The entries of a fortune file's text. */
  public static List<String> parse(String text) {
    List<String> entries = new ArrayList<>();
    StringBuilder entry = new StringBuilder();
    for (String line : text.split("\r?\n", -1)) {
      if (line.equals("%")) {
        add(entries, entry);
      } else {
        entry.append(line).append('\n');
      }
    }
    add(entries, entry);
    return entries;
  }

  private static void add(List<String> entries, StringBuilder entry) {
    int end = entry.length();
    while (end > 0 && entry.charAt(end - 1) == '\n') {
      end--;
    }
    if (!entry.toString().isBlank()) {
      entries.add(entry.substring(0, end));
    }
    entry.setLength(0);
  }
}
