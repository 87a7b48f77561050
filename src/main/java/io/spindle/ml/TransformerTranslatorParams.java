package io.spindle.ml;

import io.spindle.data.Special;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.NormPlacement;
import io.spindle.train.TrainingConfig;
import java.util.EnumSet;
import java.util.Locale;
import org.apache.spark.ml.param.BooleanParam;
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
 * The Params shared by {@link TransformerTranslator} and {@link TransformerTranslationModel}: the text columns, the
 * tokenizers, the architecture, the optimisation and the decoding. The stage creates one {@link Declared} in its
 * constructor, after its uid; the default methods expose each Param as a public no-arg method, which is how
 * {@code Params.params} finds them. {@link #encoderDecoderConfig}, {@link #trainingConfig} and
 * {@link #tokenizerOptions} are the one place the Params map onto Spindle's configs.
 */
public interface TransformerTranslatorParams extends Params {
  /** This stage's Param objects. */
  Declared declaredParams();

  /** Source text column (string). Default {@code "source"}. */
  default Param<String> inputCol() {
    return declaredParams().inputCol;
  }

  /** Target (reference translation) text column (string), read when fitting. Default {@code "target"}. */
  default Param<String> targetCol() {
    return declaredParams().targetCol;
  }

  /** Output column of translations (string). Default {@code "translation"}. */
  default Param<String> predictionCol() {
    return declaredParams().predictionCol;
  }

  /** {@code "char"} (one token per code point) or {@code "word"} (words and punctuation). Default {@code "char"}. */
  default Param<String> tokenizerMode() {
    return declaredParams().tokenizerMode;
  }

  /** A token enters a vocabulary only if it occurs at least this often in the training texts. Default 1. */
  default IntParam minCount() {
    return declaredParams().minCount;
  }

  /** Largest vocabulary, the 4 special tokens included (0 = no limit). Default 0. */
  default IntParam maxVocabSize() {
    return declaredParams().maxVocabSize;
  }

  /**
   * One vocabulary learned from sources and targets together, with one embedding table shared by encoder, decoder
   * and output projection (the paper's joint vocabulary; names, options and commands that both languages share
   * then have one embedding), or two vocabularies, one per side, with separate tables. Default true.
   */
  default BooleanParam sharedVocabulary() {
    return declaredParams().sharedVocabulary;
  }

  /** Encoder blocks, and as many decoder blocks. Default 2. */
  default IntParam numLayers() {
    return declaredParams().numLayers;
  }

  /** Attention heads per block; must divide modelDim. Default 4. */
  default IntParam numHeads() {
    return declaredParams().numHeads;
  }

  /** d_model, the width of the residual stream; even. The feed-forward layers are 4 times as wide. Default 128. */
  default IntParam modelDim() {
    return declaredParams().modelDim;
  }

  /** Longest source in tokens: longer training rows are skipped, longer sources to translate truncated. Default 64. */
  default IntParam maxSourceLength() {
    return declaredParams().maxSourceLength;
  }

  /**
   * Longest target in tokens ({@code <eos>} not counted): longer training rows are skipped; also the most tokens a
   * translation can have. Default 64.
   */
  default IntParam maxTargetLength() {
    return declaredParams().maxTargetLength;
  }

  /** Dropout probability while training, in [0, 1). Default 0.1. */
  default DoubleParam dropout() {
    return declaredParams().dropout;
  }

  /** Label smoothing eps_ls of the training loss, in [0, 1). Default 0.1, the paper's. */
  default DoubleParam labelSmoothing() {
    return declaredParams().labelSmoothing;
  }

  /** LayerNorm placement: {@code "pre"} (before each sub-layer) or {@code "post"} (the paper's). Default "pre". */
  default Param<String> normPlacement() {
    return declaredParams().normPlacement;
  }

  /** Optimizer steps. Default 1000. */
  default IntParam maxIter() {
    return declaredParams().maxIter;
  }

  /** Peak learning rate of AdamW (after warm-up; cosine decay to a tenth of it). Default 1e-3. */
  default DoubleParam stepSize() {
    return declaredParams().stepSize;
  }

  /** Sentence pairs per step (the global batch, over all partitions). Default 32. */
  default IntParam batchSize() {
    return declaredParams().batchSize;
  }

  /** Steps of linear learning-rate warm-up. Default 100. */
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

  /** Beam width of {@code transform}: 1 = greedy decoding. Default 1. */
  default IntParam beamSize() {
    return declaredParams().beamSize;
  }

  /**
   * Most tokens generated per translation ({@code <eos>} not counted); 0, or anything above maxTargetLength, means
   * maxTargetLength. Default 0.
   */
  default IntParam maxOutputLength() {
    return declaredParams().maxOutputLength;
  }

  /**
   * GNMT's length penalty alpha of beam search (score {@code log P / ((5 + |Y|) / 6)^alpha}; 0 = none); unused by
   * greedy decoding. Default 0.6.
   */
  default DoubleParam lengthPenalty() {
    return declaredParams().lengthPenalty;
  }

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default String getTargetCol() {
    return getOrDefault(targetCol());
  }

  default String getPredictionCol() {
    return getOrDefault(predictionCol());
  }

  default String getTokenizerMode() {
    return getOrDefault(tokenizerMode());
  }

  default boolean getSharedVocabulary() {
    return (Boolean) getOrDefault(sharedVocabulary());
  }

  default String getNormPlacement() {
    return getOrDefault(normPlacement());
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

  /** How each vocabulary is learned: the four specials, minCount, maxVocabSize, case kept. */
  default TokenizerOptions tokenizerOptions() {
    int max = getInt(maxVocabSize());
    return new TokenizerOptions(EnumSet.allOf(Special.class), getInt(minCount()),
        max == 0 ? TokenizerOptions.NO_LIMIT : max, false);
  }

  /**
   * The architecture for the given vocabulary sizes: ReLU feed-forward layers of width 4 * modelDim, biases, the
   * output projection tied to the target embedding, and source and target embeddings shared when
   * {@link #sharedVocabulary}. The decoder has maxTargetLength + 1 positions ({@code <bos>} + target).
   */
  default EncoderDecoderConfig encoderDecoderConfig(int sourceVocabSize, int targetVocabSize) {
    int layers = getInt(numLayers());
    return EncoderDecoderConfig.of(sourceVocabSize, targetVocabSize, getInt(maxSourceLength()),
        getInt(maxTargetLength()) + 1, layers, getInt(numHeads()), getInt(modelDim()))
        .withDropout(getDouble(dropout())).withLabelSmoothing(getDouble(labelSmoothing()))
        .withNormPlacement(NormPlacement.valueOf(getNormPlacement().toUpperCase(Locale.ROOT)))
        .withEmbeddings(getSharedVocabulary(), true);
  }

  /** The optimisation: AdamW (0.9, 0.98) as the paper, clip 1.0, warm-up then cosine decay to stepSize / 10. */
  default TrainingConfig trainingConfig() {
    return TrainingConfig.builder().steps(getInt(maxIter())).batchSize(getInt(batchSize()))
        .learningRate(getDouble(stepSize())).warmupSteps(getInt(warmupSteps())).weightDecay(getDouble(weightDecay()))
        .betas(0.9, 0.98).gradClip(1.0).seed(getSeed()).build();
  }

  /**
   * Checks the input (string) and, when {@code fitting}, the target (string) columns; appends the translation
   * column (string).
   */
  default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, schema, getInputCol());
    if (fitting) {
      Schemas.requireString(stage, schema, getTargetCol());
    }
    return Schemas.append(stage, schema, getPredictionCol(), DataTypes.StringType, Metadata.empty());
  }

  /** The Param objects of one stage, owned by it. */
  final class Declared {
    final Param<String> inputCol;
    final Param<String> targetCol;
    final Param<String> predictionCol;
    final Param<String> tokenizerMode;
    final IntParam minCount;
    final IntParam maxVocabSize;
    final BooleanParam sharedVocabulary;
    final IntParam numLayers;
    final IntParam numHeads;
    final IntParam modelDim;
    final IntParam maxSourceLength;
    final IntParam maxTargetLength;
    final DoubleParam dropout;
    final DoubleParam labelSmoothing;
    final Param<String> normPlacement;
    final IntParam maxIter;
    final DoubleParam stepSize;
    final IntParam batchSize;
    final IntParam warmupSteps;
    final DoubleParam weightDecay;
    final LongParam seed;
    final IntParam beamSize;
    final IntParam maxOutputLength;
    final DoubleParam lengthPenalty;

    /** Creates the Params of {@code owner}, whose uid must already be set. */
    Declared(Params owner) {
      inputCol = new Param<>(owner, "inputCol", "source text column (string)");
      targetCol = new Param<>(owner, "targetCol", "target text column, the reference translations (string); "
          + "read when fitting");
      predictionCol = new Param<>(owner, "predictionCol", "output column of translations (string)");
      tokenizerMode = new Param<>(owner, "tokenizerMode", "tokenization: 'char' (one token per code point) or "
          + "'word' (words and punctuation)", ParamValidators.inArray(new String[] {"char", "word"}));
      minCount = new IntParam(owner, "minCount", "minimum count of a token to enter a vocabulary (>= 1)",
          ParamValidators.gtEq(1));
      maxVocabSize = new IntParam(owner, "maxVocabSize", "largest vocabulary, the 4 special tokens <pad> <unk> "
          + "<bos> <eos> included (0 = no limit, else > 4)", ParamValidators.gtEq(0));
      sharedVocabulary = new BooleanParam(owner, "sharedVocabulary", "one vocabulary and embedding table for "
          + "source and target (true), or one per side (false)");
      numLayers = new IntParam(owner, "numLayers", "number of encoder blocks, and of decoder blocks (>= 1)",
          ParamValidators.gtEq(1));
      numHeads = new IntParam(owner, "numHeads", "attention heads per block (>= 1, divides modelDim)",
          ParamValidators.gtEq(1));
      modelDim = new IntParam(owner, "modelDim", "width of the residual stream d_model (>= 2, even); the "
          + "feed-forward layers are 4 times as wide", ParamValidators.gtEq(2));
      maxSourceLength = new IntParam(owner, "maxSourceLength", "longest source in tokens: longer training rows are "
          + "skipped, longer sources to translate are truncated (>= 1)", ParamValidators.gtEq(1));
      maxTargetLength = new IntParam(owner, "maxTargetLength", "longest target in tokens, <eos> not counted: longer "
          + "training rows are skipped; also the longest translation (>= 1)", ParamValidators.gtEq(1));
      dropout = new DoubleParam(owner, "dropout", "dropout probability while training, in [0, 1)",
          ParamValidators.inRange(0, 1, true, false));
      labelSmoothing = new DoubleParam(owner, "labelSmoothing", "label smoothing of the training loss, in [0, 1)",
          ParamValidators.inRange(0, 1, true, false));
      normPlacement = new Param<>(owner, "normPlacement", "LayerNorm placement: 'pre' (before each sub-layer) or "
          + "'post' (after each residual sum, as the paper)", ParamValidators.inArray(new String[] {"pre", "post"}));
      maxIter = new IntParam(owner, "maxIter", "number of optimizer steps (>= 1)", ParamValidators.gtEq(1));
      stepSize = new DoubleParam(owner, "stepSize", "peak learning rate of AdamW, after warm-up (> 0)",
          ParamValidators.gt(0));
      batchSize = new IntParam(owner, "batchSize", "sentence pairs per optimizer step, over all partitions (>= 1)",
          ParamValidators.gtEq(1));
      warmupSteps = new IntParam(owner, "warmupSteps", "steps of linear learning-rate warm-up (>= 0)",
          ParamValidators.gtEq(0));
      weightDecay = new DoubleParam(owner, "weightDecay", "AdamW's decoupled weight decay (>= 0)",
          ParamValidators.gtEq(0));
      seed = new LongParam(owner, "seed", "random seed of initialisation, batch sampling and dropout");
      beamSize = new IntParam(owner, "beamSize", "beam width when translating (1 = greedy decoding)",
          ParamValidators.gtEq(1));
      maxOutputLength = new IntParam(owner, "maxOutputLength", "most tokens generated per translation, <eos> not "
          + "counted (0 = maxTargetLength, which also caps it)", ParamValidators.gtEq(0));
      lengthPenalty = new DoubleParam(owner, "lengthPenalty", "GNMT length penalty alpha of beam search "
          + "(>= 0; 0 = none; unused by greedy decoding)", ParamValidators.gtEq(0));
    }

    /** Sets the defaults on {@code owner} (call after the owner holds this object). */
    void setDefaults(Params owner) {
      owner.setDefault(inputCol, "source");
      owner.setDefault(targetCol, "target");
      owner.setDefault(predictionCol, "translation");
      owner.setDefault(tokenizerMode, "char");
      owner.setDefault(minCount, 1);
      owner.setDefault(maxVocabSize, 0);
      owner.setDefault(sharedVocabulary, true);
      owner.setDefault(numLayers, 2);
      owner.setDefault(numHeads, 4);
      owner.setDefault(modelDim, 128);
      owner.setDefault(maxSourceLength, 64);
      owner.setDefault(maxTargetLength, 64);
      owner.setDefault(dropout, 0.1);
      owner.setDefault(labelSmoothing, 0.1);
      owner.setDefault(normPlacement, "pre");
      owner.setDefault(maxIter, 1000);
      owner.setDefault(stepSize, 1e-3);
      owner.setDefault(batchSize, 32);
      owner.setDefault(warmupSteps, 100);
      owner.setDefault(weightDecay, 0.01);
      owner.setDefault(seed, 42L);
      owner.setDefault(beamSize, 1);
      owner.setDefault(maxOutputLength, 0);
      owner.setDefault(lengthPenalty, 0.6);
    }
  }
}
