package io.spindle.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a classifier training run stands and what it reported: the training loss of every step, each validation
 * evaluation, the best one, and whether and why training stopped. {@link SparkClassifierTrainer} updates it step by
 * step, applies the early-stopping rule of its {@link ValidationPolicy}, and saves it in every checkpoint, so a
 * resumed run reports the whole history and stops where an uninterrupted one would.
 *
 * <p>Order of use (the trainer's): {@link #recordStep} after each step; {@link #recordEvaluation} after each
 * evaluation (it may stop the run); {@link #complete} after the last step. Not thread-safe.
 */
public final class ClassifierProgress {
  private final ValidationPolicy policy;
  private final List<Double> losses = new ArrayList<>();
  private final List<Long> evaluationSteps = new ArrayList<>();
  private final List<Double> evaluationLosses = new ArrayList<>();
  private final List<Double> evaluationAccuracies = new ArrayList<>();
  private long bestStep;
  private double bestLoss = Double.POSITIVE_INFINITY;
  private int sinceBest;
  private float[] bestWeights;
  private boolean stoppedEarly;
  private String stopReason;

  /** A fresh run; {@code policy} is null when there are no validation examples. */
  ClassifierProgress(ValidationPolicy policy) {
    this.policy = policy;
  }

  void recordStep(double loss) {
    losses.add(loss);
  }

  /**
   * Records the evaluation after step {@code step} of the model whose weights are {@code weights}; returns true if
   * early stopping ends the run here.
   */
  boolean recordEvaluation(long step, ClassifierEvaluation evaluation, Tensor weights) {
    evaluationSteps.add(step);
    evaluationLosses.add(evaluation.meanLoss());
    evaluationAccuracies.add(evaluation.accuracy());
    if (evaluation.meanLoss() < bestLoss - policy.tolerance()) {
      bestLoss = evaluation.meanLoss();
      bestStep = step;
      sinceBest = 0;
      bestWeights = policy.earlyStopping() ? weights.toArray() : null;
      return false;
    }
    sinceBest++;
    if (policy.earlyStopping() && sinceBest >= policy.patience()) {
      stoppedEarly = true;
      stopReason = String.format("early stopping after step %d: %d evaluations in a row did not lower the "
          + "validation loss by more than %s below the best, %.6f at step %d (the model keeps the weights of "
          + "step %d)", step, sinceBest, policy.tolerance(), bestLoss, bestStep, bestStep);
      return true;
    }
    return false;
  }

  /** Marks the run as having taken all {@code steps} steps. */
  void complete(long steps) {
    stopReason = "completed all " + steps + " steps" + (policy != null && policy.earlyStopping() && bestStep > 0
        ? " (the model keeps the weights of step " + bestStep + ", the best validation loss)" : "");
  }

  /** Whether the run is over (stopped early or completed). */
  boolean finished() {
    return stopReason != null;
  }

  /** The weights of the best evaluation, kept only with early stopping on; null if none. */
  float[] bestWeights() {
    return bestWeights == null ? null : bestWeights.clone();
  }

  /** The mean training loss of each step taken, in step order (a copy). */
  public double[] lossHistory() {
    return losses.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Steps taken. */
  public long steps() {
    return losses.size();
  }

  /** The step after which each validation evaluation ran (a copy). */
  public long[] validationSteps() {
    return evaluationSteps.stream().mapToLong(Long::longValue).toArray();
  }

  /** The mean validation loss of each evaluation (a copy). */
  public double[] validationLossHistory() {
    return evaluationLosses.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The validation accuracy of each evaluation (a copy). */
  public double[] validationAccuracyHistory() {
    return evaluationAccuracies.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The step of the best evaluation; 0 if there was none (no validation examples). */
  public long bestValidationStep() {
    return bestStep;
  }

  /** The best mean validation loss; NaN if there was no evaluation. */
  public double bestValidationLoss() {
    return bestStep == 0 ? Double.NaN : bestLoss;
  }

  /** Whether early stopping ended the run before its last step. */
  public boolean stoppedEarly() {
    return stoppedEarly;
  }

  /** Why the run ended ("completed all 200 steps", or the early-stopping rule that fired); null while it runs. */
  public String stopReason() {
    return stopReason;
  }

  /** This progress as JSON, for {@code ClassifierCheckpoint} (the best weights are saved separately). */
  ObjectNode toJson(ObjectNode o) {
    ArrayNode l = o.putArray("losses");
    losses.forEach(l::add);
    ArrayNode steps = o.putArray("validation_steps");
    evaluationSteps.forEach(steps::add);
    ArrayNode vl = o.putArray("validation_losses");
    evaluationLosses.forEach(vl::add);
    ArrayNode va = o.putArray("validation_accuracies");
    evaluationAccuracies.forEach(va::add);
    o.put("best_step", bestStep);
    o.put("best_loss", bestLoss);
    o.put("evaluations_since_best", sinceBest);
    o.put("stopped_early", stoppedEarly);
    if (stopReason != null) {
      o.put("stop_reason", stopReason);
    }
    return o;
  }

  /** The progress saved by {@link #toJson}, with {@code bestWeights} (null if none were saved). */
  static ClassifierProgress fromJson(JsonNode o, ValidationPolicy policy, float[] bestWeights) throws IOException {
    ClassifierProgress p = new ClassifierProgress(policy);
    for (JsonNode x : array(o, "losses")) {
      p.losses.add(x.asDouble());
    }
    for (JsonNode x : array(o, "validation_steps")) {
      p.evaluationSteps.add(x.asLong());
    }
    for (JsonNode x : array(o, "validation_losses")) {
      p.evaluationLosses.add(x.asDouble());
    }
    for (JsonNode x : array(o, "validation_accuracies")) {
      p.evaluationAccuracies.add(x.asDouble());
    }
    if (p.evaluationSteps.size() != p.evaluationLosses.size()
        || p.evaluationSteps.size() != p.evaluationAccuracies.size()) {
      throw new IOException("validation histories of different lengths");
    }
    p.bestStep = o.path("best_step").asLong();
    p.bestLoss = o.path("best_loss").asDouble(Double.POSITIVE_INFINITY);
    p.sinceBest = o.path("evaluations_since_best").asInt();
    p.stoppedEarly = o.path("stopped_early").asBoolean();
    p.stopReason = o.hasNonNull("stop_reason") ? o.get("stop_reason").asText() : null;
    p.bestWeights = bestWeights;
    return p;
  }

  private static JsonNode array(JsonNode o, String field) throws IOException {
    JsonNode a = o.path(field);
    if (!a.isArray()) {
      throw new IOException("field " + field + " missing or not an array");
    }
    return a;
  }
}
