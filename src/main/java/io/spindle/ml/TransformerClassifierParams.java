package io.spindle.ml;

import io.spindle.nn.EncoderConfig;
import io.spindle.train.TrainingConfig;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * The Params shared by {@link TransformerClassifier} and {@link TransformerClassificationModel}: MLlib's
 * probabilistic classifier columns, the architecture and the optimisation. The stage creates one {@link Declared}
 * in its constructor, after its uid; the default methods expose each Param as a public no-arg method, which is how
 * {@code Params.params} finds them. {@link #encoderConfig} and {@link #trainingConfig} are the one place the Params
 * map onto Spindle's configs.
 */
public interface TransformerClassifierParams extends Params {
  /** This stage's Param objects. */
  Declared declaredParams();

  /** Features column: token ids, array&lt;int&gt;. Default {@code "ids"}. */
  default Param<String> featuresCol() {
    return declaredParams().featuresCol;
  }

  /** Label column: class index 0..K-1, numeric. Default {@code "label"}. */
  default Param<String> labelCol() {
    return declaredParams().labelCol;
  }

  /** Predicted class index (double). Default {@code "prediction"}. */
  default Param<String> predictionCol() {
    return declaredParams().predictionCol;
  }

  /** Class logits (Vector of K). Default {@code "rawPrediction"}. */
  default Param<String> rawPredictionCol() {
    return declaredParams().rawPredictionCol;
  }

  /** Class probabilities, the softmax of the logits (Vector of K). Default {@code "probability"}. */
  default Param<String> probabilityCol() {
    return declaredParams().probabilityCol;
  }

  /** Encoder blocks. Default 2. */
  default IntParam numLayers() {
    return declaredParams().numLayers;
  }

  /** Attention heads per block; must divide modelDim. Default 4. */
  default IntParam numHeads() {
    return declaredParams().numHeads;
  }

  /** Width of the residual stream (C). Default 64. */
  default IntParam modelDim() {
    return declaredParams().modelDim;
  }

  /** Longest sequence the model reads; longer ones are truncated. Default 128. */
  default IntParam maxSeqLength() {
    return declaredParams().maxSeqLength;
  }

  /** Dropout probability while training, in [0, 1). Default 0. */
  default DoubleParam dropout() {
    return declaredParams().dropout;
  }

  /** Optimizer steps. Default 200. */
  default IntParam maxIter() {
    return declaredParams().maxIter;
  }

  /** Peak learning rate of AdamW (after warm-up; cosine decay to a tenth of it). Default 1e-3. */
  default DoubleParam stepSize() {
    return declaredParams().stepSize;
  }

  /** Examples per step (the global batch, over all partitions). Default 32. */
  default IntParam batchSize() {
    return declaredParams().batchSize;
  }

  /** Steps of linear learning-rate warm-up. Default 10. */
  default IntParam warmupSteps() {
    return declaredParams().warmupSteps;
  }

  /** AdamW's decoupled weight decay, on matrices and embeddings. Default 0.01. */
  default DoubleParam weightDecay() {
    return declaredParams().weightDecay;
  }

  /** Seeds initialisation, batch sampling and dropout. Default 42. */
  default LongParam seed() {
    return declaredParams().seed;
  }

  /** K, the number of classes; 0 = one more than the largest label in the training data (at least 2). */
  default IntParam numClasses() {
    return declaredParams().numClasses;
  }

  /** The vocabulary size; 0 = from the features column's metadata (SpindleTokenizerModel), else the data. */
  default IntParam vocabSize() {
    return declaredParams().vocabSize;
  }

  /**
   * Validation indicator column (boolean), as in MLlib's {@code GBTClassifier}: rows where it is true are used only
   * to validate (every {@link #validationInterval()} steps, and for early stopping), the others only to train. No
   * default: without it there is no validation. A null in it is an error naming the column.
   */
  default Param<String> validationIndicatorCol() {
    return declaredParams().validationIndicatorCol;
  }

  /** Steps between validation evaluations (there is always one after the last step). Default 10. */
  default IntParam validationInterval() {
    return declaredParams().validationInterval;
  }

  /**
   * Evaluations in a row without improvement after which training stops early; 0 = never stop early. With early
   * stopping on, the model keeps the weights of its best evaluation. Needs {@link #validationIndicatorCol()}: a
   * positive value without it is refused. Default 0.
   */
  default IntParam earlyStoppingPatience() {
    return declaredParams().earlyStoppingPatience;
  }

  /**
   * Early stopping's threshold: an evaluation improves when its mean validation loss (cross-entropy, nats) is below
   * the best so far minus this. Only used with a validation column. Default 0 (any decrease).
   */
  default DoubleParam validationTol() {
    return declaredParams().validationTol;
  }

  /**
   * Directory of training checkpoints, any Hadoop path ({@code file:}, {@code hdfs:}, {@code s3a:}). When set (and
   * {@link #checkpointInterval()} is not -1), fit writes checkpoints there and, if it already holds a valid one of
   * the same model and training settings, resumes from the newest; checkpoints of another model or other settings
   * are refused, naming what differs. No default: no checkpoints.
   */
  default Param<String> checkpointDir() {
    return declaredParams().checkpointDir;
  }

  /**
   * Steps between checkpoints (>= 1; one is also written after the last step), or -1 to disable checkpoints (MLlib's
   * {@code checkpointInterval} convention). Only used with {@link #checkpointDir()}. Default 10.
   */
  default IntParam checkpointInterval() {
    return declaredParams().checkpointInterval;
  }

  /** Whether a non-empty {@link #validationIndicatorCol()} is set. */
  default boolean hasValidationIndicatorCol() {
    return isDefined(validationIndicatorCol()) && !getOrDefault(validationIndicatorCol()).isEmpty();
  }

  /** Whether checkpoints are on: a non-empty {@link #checkpointDir()} and an interval other than -1. */
  default boolean hasCheckpoints() {
    return isDefined(checkpointDir()) && !getOrDefault(checkpointDir()).isEmpty()
        && getInt(checkpointInterval()) != -1;
  }

  default String getFeaturesCol() {
    return getOrDefault(featuresCol());
  }

  default String getLabelCol() {
    return getOrDefault(labelCol());
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  default String getRawPredictionCol() {
    return getOrDefault(rawPredictionCol());
  }

  default String getProbabilityCol() {
    return getOrDefault(probabilityCol());
  }

  default int getInt(IntParam p) {
    return (Integer) getOrDefault(p);
  }

  default double getDouble(DoubleParam p) {
    return (Double) getOrDefault(p);
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  /** The architecture for a vocabulary of {@code vocab} tokens and {@code classes} classes. */
  default EncoderConfig encoderConfig(int vocab, int classes) {
    return EncoderConfig.of(vocab, getInt(maxSeqLength()), getInt(numLayers()), getInt(numHeads()),
        getInt(modelDim()), classes).withDropout(getDouble(dropout()));
  }

  /** The optimisation: AdamW (0.9, 0.99), clip 1.0, warm-up then cosine decay to stepSize / 10. */
  default TrainingConfig trainingConfig() {
    return TrainingConfig.builder().steps(getInt(maxIter())).batchSize(getInt(batchSize()))
        .learningRate(getDouble(stepSize())).warmupSteps(getInt(warmupSteps())).weightDecay(getDouble(weightDecay()))
        .betas(0.9, 0.99).gradClip(1.0).seed(getSeed()).build();
  }

  /**
   * Checks the features (array&lt;int&gt;) and, when {@code fitting}, the label (numeric) and validation indicator
   * (boolean) columns, and that early stopping has a validation column; appends the
   * rawPrediction and probability (Vector) and prediction (double) columns.
   */
  default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    Schemas.requireIds(stage, schema, getFeaturesCol());
    if (fitting) {
      Schemas.requireNumeric(stage, schema, getLabelCol());
      if (hasValidationIndicatorCol()) {
        Schemas.requireBoolean(stage, schema, getOrDefault(validationIndicatorCol()));
      } else if (getInt(earlyStoppingPatience()) > 0) {
        throw new IllegalArgumentException(stage + ": earlyStoppingPatience is " + getInt(earlyStoppingPatience())
            + " but no validationIndicatorCol is set; early stopping needs validation rows (set "
            + "validationIndicatorCol, or earlyStoppingPatience 0)");
      }
    }
    StructType out = Schemas.append(stage, schema, getRawPredictionCol(), SQLDataTypes.VectorType(),
        Metadata.empty());
    out = Schemas.append(stage, out, getProbabilityCol(), SQLDataTypes.VectorType(), Metadata.empty());
    return Schemas.append(stage, out, getPredictionCol(), DataTypes.DoubleType, Metadata.empty());
  }

  /** The Param objects of one stage, owned by it. */
  final class Declared {
    final Param<String> featuresCol;
    final Param<String> labelCol;
    final Param<String> predictionCol;
    final Param<String> rawPredictionCol;
    final Param<String> probabilityCol;
    final IntParam numLayers;
    final IntParam numHeads;
    final IntParam modelDim;
    final IntParam maxSeqLength;
    final DoubleParam dropout;
    final IntParam maxIter;
    final DoubleParam stepSize;
    final IntParam batchSize;
    final IntParam warmupSteps;
    final DoubleParam weightDecay;
    final LongParam seed;
    final IntParam numClasses;
    final IntParam vocabSize;
    final Param<String> validationIndicatorCol;
    final IntParam validationInterval;
    final IntParam earlyStoppingPatience;
    final DoubleParam validationTol;
    final Param<String> checkpointDir;
    final IntParam checkpointInterval;

    /** Creates the Params of {@code owner}, whose uid must already be set. */
    Declared(Params owner) {
      featuresCol = new Param<>(owner, "featuresCol", "features column name: token ids, array<int>");
      labelCol = new Param<>(owner, "labelCol", "label column name: class index 0..K-1, numeric");
      predictionCol = new Param<>(owner, "predictionCol", "prediction column name: predicted class index, double");
      rawPredictionCol = new Param<>(owner, "rawPredictionCol", "raw prediction column name: class logits, vector");
      probabilityCol = new Param<>(owner, "probabilityCol",
          "probability column name: class probabilities (softmax of the logits), vector");
      numLayers = new IntParam(owner, "numLayers", "number of encoder blocks (>= 1)", ParamValidators.gtEq(1));
      numHeads = new IntParam(owner, "numHeads", "attention heads per block (>= 1, divides modelDim)",
          ParamValidators.gtEq(1));
      modelDim = new IntParam(owner, "modelDim", "width of the residual stream (>= 1)", ParamValidators.gtEq(1));
      maxSeqLength = new IntParam(owner, "maxSeqLength", "longest sequence read; longer ones are truncated (>= 1)",
          ParamValidators.gtEq(1));
      dropout = new DoubleParam(owner, "dropout", "dropout probability while training, in [0, 1)",
          ParamValidators.inRange(0, 1, true, false));
      maxIter = new IntParam(owner, "maxIter", "number of optimizer steps (>= 1)", ParamValidators.gtEq(1));
      stepSize = new DoubleParam(owner, "stepSize", "peak learning rate of AdamW, after warm-up (> 0)",
          ParamValidators.gt(0));
      batchSize = new IntParam(owner, "batchSize", "examples per optimizer step, over all partitions (>= 1)",
          ParamValidators.gtEq(1));
      warmupSteps = new IntParam(owner, "warmupSteps", "steps of linear learning-rate warm-up (>= 0)",
          ParamValidators.gtEq(0));
      weightDecay = new DoubleParam(owner, "weightDecay", "AdamW's decoupled weight decay (>= 0)",
          ParamValidators.gtEq(0));
      seed = new LongParam(owner, "seed", "random seed of initialisation, batch sampling and dropout");
      numClasses = new IntParam(owner, "numClasses",
          "number of classes K (0 = one more than the largest training label, at least 2)", ParamValidators.gtEq(0));
      vocabSize = new IntParam(owner, "vocabSize", "vocabulary size (0 = from the features column's metadata, "
          + "else one more than the largest training id)", ParamValidators.gtEq(0));
      validationIndicatorCol = new Param<>(owner, "validationIndicatorCol", "name of the boolean column that marks "
          + "the rows used only for validation (true) rather than training (false)");
      validationInterval = new IntParam(owner, "validationInterval", "steps between validation evaluations, "
          + "one also after the last step (>= 1)", ParamValidators.gtEq(1));
      earlyStoppingPatience = new IntParam(owner, "earlyStoppingPatience", "validation evaluations in a row "
          + "without improvement that stop training, keeping the best weights (0 = never stop early; needs "
          + "validationIndicatorCol)", ParamValidators.gtEq(0));
      validationTol = new DoubleParam(owner, "validationTol", "decrease of the validation loss below the best so "
          + "far that counts as improvement for early stopping (>= 0)", ParamValidators.gtEq(0));
      checkpointDir = new Param<>(owner, "checkpointDir", "Hadoop path of the training checkpoints; fit resumes "
          + "from a valid one of the same model and settings found there");
      checkpointInterval = new IntParam(owner, "checkpointInterval", "steps between checkpoints (>= 1), or -1 to "
          + "disable them", (scala.Function1<Object, Object> & java.io.Serializable) v -> (Integer) v == -1 || (Integer) v >= 1);
    }

    /** Sets the defaults on {@code owner} (call after the owner holds this object). */
    void setDefaults(Params owner) {
      owner.setDefault(featuresCol, "ids");
      owner.setDefault(labelCol, "label");
      owner.setDefault(predictionCol, "prediction");
      owner.setDefault(rawPredictionCol, "rawPrediction");
      owner.setDefault(probabilityCol, "probability");
      owner.setDefault(numLayers, 2);
      owner.setDefault(numHeads, 4);
      owner.setDefault(modelDim, 64);
      owner.setDefault(maxSeqLength, 128);
      owner.setDefault(dropout, 0.0);
      owner.setDefault(maxIter, 200);
      owner.setDefault(stepSize, 1e-3);
      owner.setDefault(batchSize, 32);
      owner.setDefault(warmupSteps, 10);
      owner.setDefault(weightDecay, 0.01);
      owner.setDefault(seed, 42L);
      owner.setDefault(numClasses, 0);
      owner.setDefault(vocabSize, 0);
      owner.setDefault(validationInterval, 10);
      owner.setDefault(earlyStoppingPatience, 0);
      owner.setDefault(validationTol, 0.0);
      owner.setDefault(checkpointInterval, 10);
    }
  }
}
