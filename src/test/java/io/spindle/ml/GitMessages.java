package io.spindle.ml;

import io.spindle.data.MoCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * English → German pairs from git's German gettext catalogue ({@code /usr/share/locale/de/LC_MESSAGES/git.mo},
 * Debian's {@code git} package), the translation tests' corpus. {@link MoCatalog} already drops the header and the
 * plural and context entries; here also untranslated entries, messages with a {@code %} placeholder (in either
 * language) or a line break (usage texts), and those longer than a number of characters on either side. Both sides
 * are stripped of surrounding white space.
 */
final class GitMessages {
  static final Path CATALOG = Path.of("/usr/share/locale/de/LC_MESSAGES/git.mo");

  private GitMessages() {}

  static boolean installed() {
    return Files.isReadable(CATALOG);
  }

  /** The filtered pairs {english, german} with at most {@code maxChars} code points a side, shuffled by seed. */
  static List<String[]> pairs(int maxChars, long seed) throws IOException {
    List<String[]> pairs = new ArrayList<>();
    for (Map.Entry<String, String> e : MoCatalog.read(CATALOG).messages().entrySet()) {
      String english = e.getKey().strip();
      String german = e.getValue().strip();
      if (english.isEmpty() || german.isEmpty() || english.contains("%") || german.contains("%")
          || english.contains("\n") || german.contains("\n") || length(english) > maxChars
          || length(german) > maxChars) {
        continue;
      }
      pairs.add(new String[] {english, german});
    }
    Collections.shuffle(pairs, new Random(seed));
    return pairs;
  }

  private static int length(String s) {
    return s.codePointCount(0, s.length());
  }
}
