package io.spindle.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a training run stands and what it reported, for every model family: the metrics of every step, each
 * validation evaluation, the best one, and whether and why training stopped. {@link TrainingLoop} updates it step by
 * step and applies the early-stopping rule of its {@link ValidationPolicy}; checkpoints save it
 * ({@link #toJson}), so a resumed run reports the whole history (its {@code metrics.jsonl} holds every step once),
 * keeps counting the elapsed time, and stops where an uninterrupted one would.
 *
 * <p>Order of use (the loop's): {@link #recordEvaluation} after a step's evaluation (it may stop the run);
 * {@link #complete} after the last step; {@link #recordStep} with the step's metrics. Not thread-safe.
 */
public final class TrainingProgress {
  private final ValidationPolicy policy;
  private final List<StepMetrics> steps = new ArrayList<>();
  private final List<Long> evaluationSteps = new ArrayList<>();
  private final List<Double> evaluationLosses = new ArrayList<>();
  private final List<Double> evaluationAccuracies = new ArrayList<>();
  private long bestStep;
  private double bestLoss = Double.POSITIVE_INFINITY;
  private int sinceBest;
  private float[] bestWeights;
  private boolean stoppedEarly;
  private String stopReason;

  /** A fresh run; {@code policy} is null when there is no validation data. */
  public TrainingProgress(ValidationPolicy policy) {
    this.policy = policy;
  }

  /** The policy evaluations follow; null without validation data. */
  public ValidationPolicy policy() {
    return policy;
  }

  void recordStep(StepMetrics metrics) {
    steps.add(metrics);
  }

  /**
   * Records the evaluation after step {@code step} of the model whose weights are {@code weights}; returns true if
   * early stopping ends the run here.
   */
  boolean recordEvaluation(long step, Evaluation evaluation, Tensor weights) {
    double loss = evaluation.meanLoss();
    evaluationSteps.add(step);
    evaluationLosses.add(loss);
    evaluationAccuracies.add(evaluation.accuracy());
    if (loss < bestLoss - policy.tolerance()) {
      bestLoss = loss;
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

  /** Marks the run as over after {@code steps} steps: all it was set, or fewer when the time limit came. */
  void complete(long steps, boolean timeLimit) {
    stopReason = (timeLimit ? "stopped by the time limit after " + steps + " steps" : "completed all " + steps
        + " steps") + (policy != null && policy.earlyStopping() && bestStep > 0
        ? " (the model keeps the weights of step " + bestStep + ", the best validation loss)" : "");
  }

  /**
   * Lets a run that completed (or hit its time limit) go on with more steps: it is no longer finished. A run that
   * stopped early stays stopped.
   */
  public void reopen() {
    if (!stoppedEarly) {
      stopReason = null;
    }
  }

  /** Whether the run is over (stopped early, by the time limit, or completed). */
  public boolean finished() {
    return stopReason != null;
  }

  /** The weights of the best evaluation, kept only with early stopping on; null if none. */
  public float[] bestWeights() {
    return bestWeights == null ? null : bestWeights.clone();
  }

  /** Steps taken. */
  public long steps() {
    return steps.size();
  }

  /** The metrics of every step taken, in step order (an unmodifiable view). */
  public List<StepMetrics> stepMetrics() {
    return java.util.Collections.unmodifiableList(steps);
  }

  /** The metrics of the last step taken; null before the first. */
  public StepMetrics last() {
    return steps.isEmpty() ? null : steps.get(steps.size() - 1);
  }

  /** Seconds of wall-clock time the run has taken so far, over all of its resumed parts. */
  public double elapsedSeconds() {
    return steps.isEmpty() ? 0 : last().elapsedSeconds();
  }

  /** The mean training loss of each step taken, in step order (a copy). */
  public double[] lossHistory() {
    return steps.stream().mapToDouble(StepMetrics::loss).toArray();
  }

  /** The step after which each validation evaluation ran (a copy). */
  public long[] validationSteps() {
    return evaluationSteps.stream().mapToLong(Long::longValue).toArray();
  }

  /** The mean validation loss of each evaluation (a copy). */
  public double[] validationLossHistory() {
    return evaluationLosses.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The validation accuracy of each evaluation, NaN where the family does not measure it (a copy). */
  public double[] validationAccuracyHistory() {
    return evaluationAccuracies.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The step of the best evaluation; 0 if there was none. */
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

  /** Why the run ended ("completed all 200 steps", or the rule that stopped it); null while it runs. */
  public String stopReason() {
    return stopReason;
  }

  /** This progress as JSON, for checkpoints (the best weights are saved separately). */
  public ObjectNode toJson(ObjectNode o) {
    ArrayNode metrics = o.putArray("steps");
    for (StepMetrics m : steps) {
      metrics.add(MetricsLog.toJson(m));
    }
    ArrayNode evaluated = o.putArray("validation_steps");
    evaluationSteps.forEach(evaluated::add);
    ArrayNode losses = o.putArray("validation_losses");
    evaluationLosses.forEach(losses::add);
    ArrayNode accuracies = o.putArray("validation_accuracies");
    evaluationAccuracies.forEach(a -> accuracies.add(a.isNaN() ? null : a));
    o.put("best_step", bestStep);
    o.put("best_loss", bestLoss);
    o.put("evaluations_since_best", sinceBest);
    o.put("stopped_early", stoppedEarly);
    if (stopReason != null) {
      o.put("stop_reason", stopReason);
    }
    return o;
  }

  /** The progress saved by {@link #toJson}, continuing under {@code policy}, with {@code bestWeights} (or null). */
  public static TrainingProgress fromJson(JsonNode o, ValidationPolicy policy, float[] bestWeights)
      throws IOException {
    TrainingProgress p = new TrainingProgress(policy);
    for (JsonNode m : array(o, "steps")) {
      p.steps.add(MetricsLog.fromJson(m));
      if (m.path("step").asLong() != p.steps.size()) {
        throw new IOException("step metrics out of order at " + m);
      }
    }
    for (JsonNode x : array(o, "validation_steps")) {
      p.evaluationSteps.add(x.asLong());
    }
    for (JsonNode x : array(o, "validation_losses")) {
      p.evaluationLosses.add(x.asDouble());
    }
    for (JsonNode x : array(o, "validation_accuracies")) {
      p.evaluationAccuracies.add(x.isNull() ? Double.NaN : x.asDouble());
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
