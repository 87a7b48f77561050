package io.spindle.ml;

import io.spindle.data.Special;
import io.spindle.data.TokenizerOptions;
import io.spindle.nn.GptConfig;
import io.spindle.train.TrainingConfig;
import java.util.EnumSet;
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
 * The Params shared by {@link TransformerLanguageModel} and {@link TransformerLanguageModelModel}: the columns, the
 * tokenizer, the GPT's architecture, the optimisation and the generation. The stage creates one {@link Declared} in
 * its constructor, after its uid; the default methods expose each Param as a public no-arg method, which is how
 * {@code Params.params} finds them. {@link #tokenizerOptions}, {@link #gptConfig} and {@link #trainingConfig} are the
 * one place the Params map onto Spindle's configs.
 */
public interface TransformerLanguageModelParams extends Params {
  /** This stage's Param objects. */
  Declared declaredParams();

  /** Text column (string): trained on, and scored by the model. Default {@code "text"}. */
  default Param<String> inputCol() {
    return declaredParams().inputCol;
  }

  /** Output: the perplexity of each row's text (double); empty = no such column. Default {@code "perplexity"}. */
  default Param<String> perplexityCol() {
    return declaredParams().perplexityCol;
  }

  /** Prompt column (string); when set, the model adds {@link #generatedCol()}. No default (no generation). */
  default Param<String> promptCol() {
    return declaredParams().promptCol;
  }

  /** Output: the text generated after each row's prompt (string). Default {@code "generated"}. */
  default Param<String> generatedCol() {
    return declaredParams().generatedCol;
  }

  /** {@code "char"} (one token per code point) or {@code "word"} (words and punctuation). Default {@code "char"}. */
  default Param<String> tokenizerMode() {
    return declaredParams().tokenizerMode;
  }

  /** A token enters the vocabulary only if it occurs at least this often in the training text. Default 1. */
  default IntParam minCount() {
    return declaredParams().minCount;
  }

  /** Largest vocabulary, the 4 special tokens included (0 = no limit). Default 0. */
  default IntParam maxVocabSize() {
    return declaredParams().maxVocabSize;
  }

  /** Transformer blocks. Default 2. */
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

  /** Context length T: the longest sequence the model sees, the length of training windows. Default 64. */
  default IntParam blockSize() {
    return declaredParams().blockSize;
  }

  /** Dropout probability while training, in [0, 1). Default 0. */
  default DoubleParam dropout() {
    return declaredParams().dropout;
  }

  /** Optimizer steps. Default 300. */
  default IntParam maxIter() {
    return declaredParams().maxIter;
  }

  /** Peak learning rate of AdamW (after warm-up; cosine decay to a tenth of it). Default 3e-3. */
  default DoubleParam stepSize() {
    return declaredParams().stepSize;
  }

  /** Windows of blockSize tokens per step (the global batch, over all partitions). Default 32. */
  default IntParam batchSize() {
    return declaredParams().batchSize;
  }

  /** Steps of linear learning-rate warm-up. Default 30. */
  default IntParam warmupSteps() {
    return declaredParams().warmupSteps;
  }

  /** AdamW's decoupled weight decay, on matrices and embeddings. Default 0.1. */
  default DoubleParam weightDecay() {
    return declaredParams().weightDecay;
  }

  /** Seeds initialisation, batch sampling and dropout. Default 42. */
  default LongParam seed() {
    return declaredParams().seed;
  }

  /** Forward/backward passes per task and step (gradient accumulation). Default 1. */
  default IntParam microBatches() {
    return declaredParams().microBatches;
  }

  /** Share of the token stream's tail held out for validation, in [0, 1). Default 0.05. */
  default DoubleParam validationFraction() {
    return declaredParams().validationFraction;
  }

  /** Validate every this many steps (on 20 batches; the last step on all), 0 = only after the last. Default 50. */
  default IntParam evalInterval() {
    return declaredParams().evalInterval;
  }

  /** Tokens generated per prompt. Default 100. */
  default IntParam maxNewTokens() {
    return declaredParams().maxNewTokens;
  }

  /** Softmax temperature of generation; 0 = greedy. Default 0.8. */
  default DoubleParam temperature() {
    return declaredParams().temperature;
  }

  /** Sample among the k likeliest tokens; 0 = all. Default 0. */
  default IntParam topK() {
    return declaredParams().topK;
  }

  /** Seeds generation, together with each prompt's tokens. Default 1337. */
  default LongParam generationSeed() {
    return declaredParams().generationSeed;
  }

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default String getPerplexityCol() {
    return getOrDefault(perplexityCol());
  }

  /** The prompt column, or null when none is set. */
  default String getPromptCol() {
    return isDefined(promptCol()) ? getOrDefault(promptCol()) : null;
  }

  default String getGeneratedCol() {
    return getOrDefault(generatedCol());
  }

  default String getTokenizerMode() {
    return getOrDefault(tokenizerMode());
  }

  default int getInt(IntParam p) {
    return (Integer) getOrDefault(p);
  }

  default double getDouble(DoubleParam p) {
    return (Double) getOrDefault(p);
  }

  default long getLong(LongParam p) {
    return (Long) getOrDefault(p);
  }

  /** The tokenizer options: these Params plus the specials pad, unk, bos and eos, case kept. */
  default TokenizerOptions tokenizerOptions() {
    int max = getInt(maxVocabSize());
    return new TokenizerOptions(EnumSet.allOf(Special.class), getInt(minCount()),
        max == 0 ? TokenizerOptions.NO_LIMIT : max, false);
  }

  /** The GPT for a vocabulary of {@code vocab} tokens (biases on, as nanoGPT's default). */
  default GptConfig gptConfig(int vocab) {
    if (getInt(modelDim()) % getInt(numHeads()) != 0) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": modelDim " + getInt(modelDim())
          + " must be divisible by numHeads " + getInt(numHeads()));
    }
    return new GptConfig(vocab, getInt(blockSize()), getInt(numLayers()), getInt(numHeads()), getInt(modelDim()),
        getDouble(dropout()), true);
  }

  /** The optimisation: AdamW (0.9, 0.99), clip 1.0, warm-up then cosine decay to stepSize / 10. */
  default TrainingConfig trainingConfig() {
    return TrainingConfig.builder().steps(getInt(maxIter())).batchSize(getInt(batchSize()))
        .microBatches(getInt(microBatches())).learningRate(getDouble(stepSize())).warmupSteps(getInt(warmupSteps()))
        .weightDecay(getDouble(weightDecay())).betas(0.9, 0.99).gradClip(1.0).seed(getLong(seed())).build();
  }

  /**
   * Checks the text column (string) when {@code fitting} or when the perplexity column is wanted, and the prompt
   * column (string) when set; appends the perplexity (double) and generated (string) columns.
   */
  default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
    String stage = getClass().getSimpleName();
    StructType out = schema;
    if (fitting || !getPerplexityCol().isEmpty()) {
      Schemas.requireString(stage, schema, getInputCol());
    }
    if (!getPerplexityCol().isEmpty()) {
      out = Schemas.append(stage, out, getPerplexityCol(), DataTypes.DoubleType, Metadata.empty());
    }
    if (getPromptCol() != null && !getPromptCol().isEmpty()) {
      Schemas.requireString(stage, schema, getPromptCol());
      out = Schemas.append(stage, out, getGeneratedCol(), DataTypes.StringType, Metadata.empty());
    }
    return out;
  }

  /** The Param objects of one stage, owned by it. */
  final class Declared {
    final Param<String> inputCol;
    final Param<String> perplexityCol;
    final Param<String> promptCol;
    final Param<String> generatedCol;
    final Param<String> tokenizerMode;
    final IntParam minCount;
    final IntParam maxVocabSize;
    final IntParam numLayers;
    final IntParam numHeads;
    final IntParam modelDim;
    final IntParam blockSize;
    final DoubleParam dropout;
    final IntParam maxIter;
    final DoubleParam stepSize;
    final IntParam batchSize;
    final IntParam warmupSteps;
    final DoubleParam weightDecay;
    final LongParam seed;
    final IntParam microBatches;
    final DoubleParam validationFraction;
    final IntParam evalInterval;
    final IntParam maxNewTokens;
    final DoubleParam temperature;
    final IntParam topK;
    final LongParam generationSeed;

    /** Creates the Params of {@code owner}, whose uid must already be set. */
    Declared(Params owner) {
      inputCol = new Param<>(owner, "inputCol", "text column (string): rows joined by newlines are the training "
          + "text; the model scores each row's text");
      perplexityCol = new Param<>(owner, "perplexityCol", "output column of each row's perplexity (double; null "
          + "for a null text or one of fewer than 2 tokens); empty for none");
      promptCol = new Param<>(owner, "promptCol", "prompt column (string); when set, a generated continuation is "
          + "added for each row");
      generatedCol = new Param<>(owner, "generatedCol", "output column of the text generated after each prompt "
          + "(string; null for a null or empty prompt)");
      tokenizerMode = new Param<>(owner, "tokenizerMode", "tokenization: 'char' (one token per code point) or "
          + "'word' (words and punctuation)", ParamValidators.inArray(new String[] {"char", "word"}));
      minCount = new IntParam(owner, "minCount", "minimum count of a token in the training text to enter the "
          + "vocabulary (>= 1)", ParamValidators.gtEq(1));
      maxVocabSize = new IntParam(owner, "maxVocabSize", "largest vocabulary, the 4 special tokens <pad> <unk> "
          + "<bos> <eos> included (0 = no limit, else > 4)", ParamValidators.gtEq(0));
      numLayers = new IntParam(owner, "numLayers", "number of transformer blocks (>= 1)", ParamValidators.gtEq(1));
      numHeads = new IntParam(owner, "numHeads", "attention heads per block (>= 1, divides modelDim)",
          ParamValidators.gtEq(1));
      modelDim = new IntParam(owner, "modelDim", "width of the residual stream (>= 1)", ParamValidators.gtEq(1));
      blockSize = new IntParam(owner, "blockSize", "context length: the longest sequence the model sees (>= 1)",
          ParamValidators.gtEq(1));
      dropout = new DoubleParam(owner, "dropout", "dropout probability while training, in [0, 1)",
          ParamValidators.inRange(0, 1, true, false));
      maxIter = new IntParam(owner, "maxIter", "number of optimizer steps (>= 1)", ParamValidators.gtEq(1));
      stepSize = new DoubleParam(owner, "stepSize", "peak learning rate of AdamW, after warm-up (> 0)",
          ParamValidators.gt(0));
      batchSize = new IntParam(owner, "batchSize", "windows of blockSize tokens per optimizer step, over all "
          + "partitions (>= 1)", ParamValidators.gtEq(1));
      warmupSteps = new IntParam(owner, "warmupSteps", "steps of linear learning-rate warm-up (>= 0)",
          ParamValidators.gtEq(0));
      weightDecay = new DoubleParam(owner, "weightDecay", "AdamW's decoupled weight decay (>= 0)",
          ParamValidators.gtEq(0));
      seed = new LongParam(owner, "seed", "random seed of initialisation, batch sampling and dropout");
      microBatches = new IntParam(owner, "microBatches", "forward/backward passes per task and step, bounding "
          + "activation memory (>= 1)", ParamValidators.gtEq(1));
      validationFraction = new DoubleParam(owner, "validationFraction", "share of the token stream's tail (the "
          + "last rows) held out for validation, in [0, 1)", ParamValidators.inRange(0, 1, true, false));
      evalInterval = new IntParam(owner, "evalInterval", "validate every this many steps on 20 batches, and after "
          + "the last step on all (0 = only after the last)", ParamValidators.gtEq(0));
      maxNewTokens = new IntParam(owner, "maxNewTokens", "tokens generated per prompt (>= 0)",
          ParamValidators.gtEq(0));
      temperature = new DoubleParam(owner, "temperature", "softmax temperature of generation (>= 0; 0 = greedy)",
          ParamValidators.gtEq(0));
      topK = new IntParam(owner, "topK", "sample among the k likeliest tokens (>= 0; 0 = all)",
          ParamValidators.gtEq(0));
      generationSeed = new LongParam(owner, "generationSeed", "random seed of generation; each prompt's draws are "
          + "seeded by it and the prompt's tokens");
    }

    /** Sets the defaults on {@code owner} (call after the owner holds this object). */
    void setDefaults(Params owner) {
      owner.setDefault(inputCol, "text");
      owner.setDefault(perplexityCol, "perplexity");
      owner.setDefault(generatedCol, "generated");
      owner.setDefault(tokenizerMode, "char");
      owner.setDefault(minCount, 1);
      owner.setDefault(maxVocabSize, 0);
      owner.setDefault(numLayers, 2);
      owner.setDefault(numHeads, 4);
      owner.setDefault(modelDim, 64);
      owner.setDefault(blockSize, 64);
      owner.setDefault(dropout, 0.0);
      owner.setDefault(maxIter, 300);
      owner.setDefault(stepSize, 3e-3);
      owner.setDefault(batchSize, 32);
      owner.setDefault(warmupSteps, 30);
      owner.setDefault(weightDecay, 0.1);
      owner.setDefault(seed, 42L);
      owner.setDefault(microBatches, 1);
      owner.setDefault(validationFraction, 0.05);
      owner.setDefault(evalInterval, 50);
      owner.setDefault(maxNewTokens, 100);
      owner.setDefault(temperature, 0.8);
      owner.setDefault(topK, 0);
      owner.setDefault(generationSeed, 1337L);
    }
  }
}
