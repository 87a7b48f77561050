package io.spindle.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.autograd.Parameters;
import io.spindle.nn.EncoderClassifier;
import io.spindle.nn.EncoderClassifierFolder;
import io.spindle.nn.EncoderConfig;
import io.spindle.nn.GptFolder;
import io.spindle.nn.SafeTensors;
import io.spindle.optim.OptimizerState;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A classifier's checkpoint in a {@link CheckpointStore}: the store's layout and guarantees (SHA-256 manifest,
 * commit by rename, newest valid one resumed) with the classifier's files. {@code config.json} and
 * {@code model.safetensors} are those of an {@link EncoderClassifierFolder} (so a checkpoint is also a model
 * folder, less the tokenizer); {@code classifier.json} holds the run's settings (to refuse resuming another run) and
 * its {@link ClassifierProgress}; {@code best.safetensors}, present with early stopping once there is a best
 * evaluation, the weights of that evaluation.
 */
final class ClassifierCheckpoint {
  static final String RUN = "classifier.json";
  static final String BEST = "best.safetensors";
  private static final String FORMAT = "spindle-classifier-run";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClassifierCheckpoint() {}

  /** A classifier checkpoint read back and verified. */
  record Loaded(String location, EncoderConfig config, Parameters weights, OptimizerState optimizer,
      TrainerState trainer, JsonNode settings, ClassifierProgress progress) {}

  /** Writes and commits the checkpoint of {@code state.step()}; false if the weights were not finite. */
  static boolean write(CheckpointStore store, EncoderClassifier model, OptimizerState optimizer, TrainerState state,
      ObjectNode settings, ClassifierProgress progress, int keep) throws IOException {
    Map<String, CheckpointManifest.Content> files = new LinkedHashMap<>();
    files.put(GptFolder.CONFIG, out -> EncoderClassifierFolder.writeConfig(model.config(), out));
    files.put(GptFolder.WEIGHTS, out -> writeWeights(model.parameters(), out));
    float[] best = progress.bestWeights();
    if (best != null) {
      Parameters copy = EncoderClassifier.declare(model.config()).build();
      copy.values().copyFrom(best);
      files.put(BEST, out -> writeWeights(copy, out));
    }
    files.put(RUN, out -> {
      ObjectNode o = JSON.createObjectNode();
      o.put("format", FORMAT);
      o.put("version", 1);
      o.set("settings", settings);
      progress.toJson(o.putObject("progress"));
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o));
    });
    return store.write(state, model.parameters().values(), optimizer, files, keep);
  }

  /**
   * Reads checkpoint {@code name}; {@code policy} (null without validation) is the one its progress continues
   * under. Every problem, another model type included, is an {@link IOException} naming it.
   */
  static Loaded load(CheckpointStore store, String name, ValidationPolicy policy) throws IOException {
    CheckpointStore.Verified cp = store.verify(name);
    EncoderConfig config;
    try (InputStream in = cp.open(GptFolder.CONFIG)) {
      config = EncoderClassifierFolder.readConfig(in, cp.location() + "/" + GptFolder.CONFIG);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    Parameters weights = readWeights(cp, GptFolder.WEIGHTS, config);
    float[] best = cp.has(BEST) ? readWeights(cp, BEST, config).values().toArray() : null;
    JsonNode run;
    try (InputStream in = cp.open(RUN)) {
      run = JSON.readTree(in);
    }
    if (run == null || !FORMAT.equals(run.path("format").asText()) || run.path("version").asInt() != 1
        || !run.path("settings").isObject() || !run.path("progress").isObject()) {
      throw new IOException(RUN + " is not a version 1 " + FORMAT + " file");
    }
    ClassifierProgress progress = ClassifierProgress.fromJson(run.get("progress"), policy, best);
    return new Loaded(cp.location(), config, weights, cp.optimizer(weights.count()), cp.trainer(),
        run.get("settings"), progress);
  }

  /** The settings that differ between {@code ours} and {@code theirs}, as "name: ours here, theirs there". */
  static List<String> differences(JsonNode ours, JsonNode theirs) {
    Set<String> names = new LinkedHashSet<>();
    ours.fieldNames().forEachRemaining(names::add);
    theirs.fieldNames().forEachRemaining(names::add);
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String a = ours.path(n).asText("(none)");
      String b = theirs.path(n).asText("(none)");
      if (!a.equals(b)) {
        out.add(n + ": " + a + " in this run, " + b + " in the checkpoint");
      }
    }
    return out;
  }

  private static void writeWeights(Parameters p, OutputStream out) throws IOException {
    SafeTensors.write(views(p), Map.of("format", "pt"), out);
  }

  private static Parameters readWeights(CheckpointStore.Verified cp, String file, EncoderConfig config)
      throws IOException {
    Parameters p = EncoderClassifier.declare(config).build();
    try (InputStream in = cp.open(file)) {
      SafeTensors.readInto(in, cp.bytes(file), views(p));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return p;
  }

  private static Map<String, Tensor> views(Parameters p) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String name : p.names()) {
      tensors.put(name, p.get(name).value());
    }
    return tensors;
  }
}
