package io.spindle.ml;

import io.spindle.data.Fortunes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The language-identification data of {@code ../shared/DATA.md}: fortune entries labelled by language, English from
 * the top-level files, German, Spanish, Italian and Russian from their folders. Only regular files count: the
 * {@code .dat} indexes, the {@code .u8} duplicates and every symbolic link (the top level links some Italian files,
 * the German folder links duplicates) are skipped, as is the {@code off/} folder.
 */
public final class FortuneLanguages {
  public static final Path ROOT = Path.of("/usr/share/games/fortunes");
  public static final List<String> LANGUAGES = List.of("en", "de", "es", "it", "ru");

  private FortuneLanguages() {}

  /** A text and its language's index in {@link #LANGUAGES}. */
  public record Entry(String text, int label) {}

  public static boolean installed() {
    return LANGUAGES.stream().skip(1).allMatch(l -> Files.isDirectory(ROOT.resolve(l)));
  }

  /**
   * Up to {@code perLanguage} entries of each language (0 = all), drawn at random with {@code seed}, each cut to its
   * first {@code maxChars} characters; shuffled.
   */
  public static List<Entry> read(int perLanguage, int maxChars, long seed) throws IOException {
    Random random = new Random(seed);
    List<Entry> all = new ArrayList<>();
    for (int label = 0; label < LANGUAGES.size(); label++) {
      Path dir = label == 0 ? ROOT : ROOT.resolve(LANGUAGES.get(label));
      List<String> texts = new ArrayList<>();
      for (Path file : files(dir)) {
        texts.addAll(Fortunes.read(file));
      }
      Collections.shuffle(texts, random);
      int n = perLanguage == 0 ? texts.size() : Math.min(perLanguage, texts.size());
      for (String t : texts.subList(0, n)) {
        all.add(new Entry(t.length() > maxChars ? t.substring(0, maxChars) : t, label));
      }
    }
    Collections.shuffle(all, random);
    return all;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().endsWith(".dat") && !p.getFileName().toString().endsWith(".u8"))
          .sorted().toList();
    }
  }
}
