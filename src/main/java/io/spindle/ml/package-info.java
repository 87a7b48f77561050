/**
 * MLlib Estimators, Models, Params and persistence adapters; no math lives here.
 *
 * <ul>
 *   <li>{@link io.spindle.ml.SpindleTokenizer} → {@link io.spindle.ml.SpindleTokenizerModel}: text column to an
 *       {@code array<int>} column of token ids (char or word vocabulary).
 *   <li>{@link io.spindle.ml.TransformerClassifier} → {@link io.spindle.ml.TransformerClassificationModel}: the
 *       Java equivalent of MLlib's {@code ProbabilisticClassifier} over token ids, trained data-parallel by
 *       {@code io.spindle.spark.SparkClassifierTrainer}; outputs {@code rawPrediction}, {@code probability},
 *       {@code prediction}. Optional validation rows (MLlib's {@code validationIndicatorCol}), early stopping and
 *       resumable checkpoints ({@code checkpointDir}, {@code checkpointInterval}).
 *   <li>{@link io.spindle.ml.TransformerLanguageModel} → {@link io.spindle.ml.TransformerLanguageModelModel}: a GPT
 *       trained by {@code io.spindle.spark.SparkLmTrainer} on a text column (the rows joined by newlines, tokenizer
 *       learned and text tokenized on the executors); outputs each row's {@code perplexity} and, given a prompt
 *       column, a {@code generated} continuation. Saved with a GPT model folder under {@code data/}
 *       ({@code LanguageModelFiles}).
 *   <li>{@link io.spindle.ml.TransformerTranslator} → {@link io.spindle.ml.TransformerTranslationModel}: a source
 *       text column to a translation column, with its own tokenizer(s), trained data-parallel by
 *       {@code io.spindle.spark.SparkTranslationTrainer}; {@link io.spindle.ml.TranslationEvaluator} scores
 *       translations by chrF or BLEU ({@code io.spindle.metrics}).
 * </ul>
 *
 * <p>Params shared by an Estimator and its Model live in one interface ({@link io.spindle.ml.SpindleTokenizerParams},
 * {@link io.spindle.ml.TransformerClassifierParams}, {@link io.spindle.ml.TransformerLanguageModelParams},
 * {@link io.spindle.ml.TransformerTranslatorParams}), Java's form of MLlib's params traits: each stage creates the
 * Param objects in its constructor, after its uid, and the interface's default methods expose them as public no-arg
 * methods so that {@code Params.params} (reflection) finds them. Persistence: MLlib's parameter metadata
 * ({@code DefaultParamsWriter}/{@code DefaultParamsReader}) plus data files under {@code path/data/} on any Hadoop
 * file system; every stage has static {@code read()} and {@code load(path)}, so {@code PipelineModel.load} works.
 * Scala types stay inside this package's implementation.
 *
 * <p>May import {@code io.spindle.spark}, {@code io.spindle.metrics} and below.
 */
package io.spindle.ml;
