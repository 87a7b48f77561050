package io.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.nn.ModelFolder;
import io.spindle.train.MetricsLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Whether a command may replace the folder a user named as its output ({@code --model-dir}): only what is
 * recognisably Spindle's own may be replaced, so that a mistyped {@code --model-dir .} or {@code --model-dir ~} can
 * never delete a user's files.
 *
 * <p>Replaceable: a path that does not exist; an empty folder; a model folder, meaning a {@code config.json} that is
 * a JSON object with a string {@code model_type} and nothing else but the files Spindle writes into model folders
 * ({@link #MODEL_FILES}); and a folder holding only {@code checkpoints/}, which an interrupted Spark run with the
 * default checkpoint location leaves (resumable with {@code --resume}). Anything else is refused with an
 * {@link IllegalArgumentException} naming the folder and what it holds, before any work starts.
 */
final class ModelFolderTarget {
  /** The entries a model folder written by Spindle may hold. */
  static final Set<String> MODEL_FILES = Stream.concat(ModelFolder.FILES.stream(),
      Stream.of(MetricsLog.FILE_NAME, SparkTraining.CHECKPOINTS, PlotCommand.LOSS_PNG))
      .collect(Collectors.toUnmodifiableSet());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NAMES_SHOWN = 5;

  private ModelFolderTarget() {}

  /**
   * Throws {@link IllegalArgumentException} unless {@code target} (absolute, normalized) may be replaced by a new
   * model folder; see the class comment.
   */
  static void checkReplaceable(Path target) throws IOException {
    if (target.getParent() == null) {
      throw new IllegalArgumentException("--model-dir " + target + " is a file system root; give a folder below it");
    }
    for (Path above = target.getParent(); above != null; above = above.getParent()) {
      if (Files.exists(above)) { // the nearest existing folder above the target, where it will be created
        if (!Files.isDirectory(above)) {
          throw new IllegalArgumentException("--model-dir " + target + " cannot be created: " + above
              + " is a file, not a folder");
        }
        break;
      }
    }
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException("--model-dir " + target + " exists and is not a folder; refusing to "
          + "replace it");
    }
    Set<String> names = new TreeSet<>();
    try (Stream<Path> entries = Files.list(target)) {
      entries.forEach(p -> names.add(p.getFileName().toString()));
    }
    if (names.isEmpty() || names.equals(Set.of(SparkTraining.CHECKPOINTS))) {
      return;
    }
    List<String> foreign = new ArrayList<>();
    for (String name : names) {
      if (!MODEL_FILES.contains(name)) {
        foreign.add(name);
      }
    }
    if (foreign.isEmpty() && hasModelType(target.resolve(ModelFolder.CONFIG))) {
      return;
    }
    List<String> shown = foreign.isEmpty() ? new ArrayList<>(names) : foreign;
    String listed = String.join(", ", shown.subList(0, Math.min(NAMES_SHOWN, shown.size())))
        + (shown.size() > NAMES_SHOWN ? " and " + (shown.size() - NAMES_SHOWN) + " more" : "");
    throw new IllegalArgumentException("--model-dir " + target + " is not a Spindle model folder (it holds "
        + listed + "); refusing to replace it: give a new or empty folder, or a model folder to overwrite");
  }

  /**
   * Throws {@link IllegalArgumentException} saying what to do when {@code dir} holds only the {@code checkpoints/}
   * of an interrupted Spark run (a state {@code train-lm --resume} continues from) rather than a model.
   */
  static void requireModel(Path dir) {
    if (!Files.exists(dir.resolve(ModelFolder.CONFIG)) && Files.isDirectory(dir.resolve(SparkTraining.CHECKPOINTS))) {
      throw new IllegalArgumentException("model folder " + dir + " holds only the checkpoints of an interrupted Spark "
          + "run: continue it with train-lm --resume --model-dir " + dir + " (and the run's other options), or use "
          + "one of its checkpoints, each a model folder: " + dir.resolve(SparkTraining.CHECKPOINTS) + "/step-N");
    }
  }

  /** Whether {@code config} is a regular file holding a JSON object with a string {@code model_type}. */
  private static boolean hasModelType(Path config) {
    if (!Files.isRegularFile(config)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(config)) {
      JsonNode o = JSON.readTree(in);
      return o != null && o.isObject() && o.path("model_type").isTextual();
    } catch (IOException e) {
      return false; // unreadable or not JSON: not recognisably a model folder
    }
  }
}
