package io.spindle.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.data.Tokenizer;
import io.spindle.nn.ModelFolder;
import io.spindle.nn.ModelFormat;
import io.spindle.nn.Network;
import io.spindle.optim.OptimizerState;
import io.spindle.train.TrainingProgress;
import io.spindle.train.ValidationPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training run's checkpoint in a {@link CheckpointStore}, for every model family: the store's guarantees (SHA-256
 * manifest, commit by rename, newest valid one resumed) with
 * <ul>
 *   <li>the model folder of the model as it stands ({@link ModelFolder}: config, weights, the run's tokenizers);
 *   <li>{@code run.json}: the run's settings (so that another run's checkpoints are refused) and its
 *       {@link TrainingProgress} (every step's metrics, the evaluations, early stopping);
 *   <li>{@code best.safetensors}, with early stopping once there is a best evaluation: that evaluation's weights.
 * </ul>
 */
final class TrainingCheckpoint {
  static final String RUN = "run.json";
  static final String BEST = "best.safetensors";
  private static final String FORMAT = "spindle-training-run";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainingCheckpoint() {}

  /** A checkpoint read back and verified. */
  record Loaded(String location, Serializable config, Parameters weights, OptimizerState optimizer,
      TrainerState trainer, JsonNode settings, TrainingProgress progress, Tokenizer tokenizer,
      Tokenizer targetTokenizer) {}

  /** Writes and commits the checkpoint of {@code state.step()}; false if the weights were not finite. */
  static <C extends Serializable, M extends Network<?>> boolean write(CheckpointStore store, ModelFormat<C, M> format,
      ModelFolder.Contents<M> contents, OptimizerState optimizer, TrainerState state, ObjectNode settings,
      TrainingProgress progress, int keep) throws IOException {
    Map<String, ModelFolder.Content> files = ModelFolder.files(format, contents);
    C config = format.config(contents.model());
    float[] best = progress.bestWeights();
    if (best != null) {
      Parameters copy = format.declare(config).build();
      copy.values().copyFrom(best);
      files.put(BEST, out -> format.writeWeights(config, copy, out));
    }
    files.put(RUN, out -> {
      ObjectNode o = JSON.createObjectNode();
      o.put("format", FORMAT);
      o.put("version", 1);
      o.set("settings", settings);
      progress.toJson(o.putObject("progress"));
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    });
    return store.write(state, contents.model().parameters().values(), optimizer, files, keep);
  }

  /**
   * Reads checkpoint {@code name} of a model in {@code format}; {@code policy} (null without validation) is the one
   * its progress continues under. Every problem, a config of another family included, is an {@link IOException}
   * naming it.
   */
  static <C extends Serializable, M extends Network<?>> Loaded load(CheckpointStore store, String name, ModelFormat<C, M> format,
      ValidationPolicy policy) throws IOException {
    CheckpointStore.Verified cp = store.verify(name);
    try {
      C config = ModelFolder.readConfig(format, cp);
      Parameters weights = readWeights(cp, ModelFolder.WEIGHTS, format, config);
      float[] best = cp.has(BEST) ? readWeights(cp, BEST, format, config).values().toArray() : null;
      JsonNode run;
      try (InputStream in = cp.open(RUN)) {
        run = JSON.readTree(in);
      }
      if (run == null || !FORMAT.equals(run.path("format").asText()) || run.path("version").asInt() != 1
          || !run.path("settings").isObject() || !run.path("progress").isObject()) {
        throw new IOException(RUN + " is not a version 1 " + FORMAT + " file");
      }
      TrainingProgress progress = TrainingProgress.fromJson(run.get("progress"), policy, best);
      Tokenizer tokenizer = cp.has(ModelFolder.TOKENIZER) ? tokenizer(cp, ModelFolder.TOKENIZER) : null;
      Tokenizer target = cp.has(ModelFolder.TARGET_TOKENIZER) ? tokenizer(cp, ModelFolder.TARGET_TOKENIZER)
          : tokenizer;
      return new Loaded(cp.location(), config, weights, cp.optimizer(weights.count()), cp.trainer(),
          run.get("settings"), progress, tokenizer, target);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static <C extends Serializable, M extends Network<?>> Parameters readWeights(CheckpointStore.Verified cp, String file,
      ModelFormat<C, M> format, C config) throws IOException {
    try (InputStream in = cp.open(file)) {
      return format.readWeights(config, in, cp.length(file), cp.where(file));
    }
  }

  private static Tokenizer tokenizer(CheckpointStore.Verified cp, String file) throws IOException {
    try (InputStream in = cp.open(file)) {
      return Tokenizer.read(in);
    }
  }

  /**
   * The settings that differ between {@code ours} and {@code theirs}, as "name: ours in this run, theirs in the
   * checkpoint", leaving out the names in {@code ignored}.
   */
  static List<String> differences(JsonNode ours, JsonNode theirs, Set<String> ignored) {
    Set<String> names = new LinkedHashSet<>();
    ours.fieldNames().forEachRemaining(names::add);
    theirs.fieldNames().forEachRemaining(names::add);
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String a = ours.path(n).asText("(none)");
      String b = theirs.path(n).asText("(none)");
      if (!a.equals(b) && !ignored.contains(n)) {
        out.add(n + ": " + a + " in this run, " + b + " in the checkpoint");
      }
    }
    return out;
  }
}
