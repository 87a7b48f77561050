/**
 * MLlib Estimators, Models, Params and persistence adapters; no math lives here. The reference, with every Param and
 * its default, is {@code docs/mllib.md}.
 *
 * <ul>
 *   <li>{@link io.spindle.ml.SpindleTokenizer} → {@link io.spindle.ml.SpindleTokenizerModel}: text column to an
 *       {@code array<int>} column of token ids (char or word vocabulary).
 *   <li>{@link io.spindle.ml.TransformerClassifier} → {@link io.spindle.ml.TransformerClassificationModel}: the
 *       Java equivalent of MLlib's {@code ProbabilisticClassifier} over token ids; outputs {@code rawPrediction},
 *       {@code probability}, {@code prediction}.
 *   <li>{@link io.spindle.ml.TransformerLM} → {@link io.spindle.ml.TransformerLMModel}: a GPT trained on a text
 *       column; outputs each row's {@code perplexity} and, given a prompt column, a {@code generated} continuation.
 *   <li>{@link io.spindle.ml.TransformerTranslator} → {@link io.spindle.ml.TransformerTranslationModel}: a source
 *       text column to a translation column; {@link io.spindle.ml.TranslationEvaluator} scores translations by chrF
 *       or BLEU ({@code io.spindle.metrics}).
 *   <li>{@link io.spindle.ml.PolicyGradientTuner}: a prompts column and a starting
 *       {@link io.spindle.ml.TransformerLMModel} to a fine-tuned one, maximising a reward (a spec of
 *       {@code io.spindle.rl.Rewards}, or a fitted {@link io.spindle.ml.TransformerClassificationModel} as the reward
 *       model) with policy gradients ({@code io.spindle.rl}).
 * </ul>
 *
 * <p><b>One base for every family.</b> The estimators that train a network extend
 * {@link io.spindle.ml.SpindleEstimator} and their models {@link io.spindle.ml.SpindleModel}: the shared Params and
 * their setters, the one place each of {@code TrainingConfig}, {@code ValidationPolicy} and
 * {@code SparkTrainingOptions} is built from Params, the checks before fitting, the training run
 * ({@code io.spindle.spark.SparkTrainer}, with checkpoints and resume, validation and early stopping,
 * micro-batches and bf16 gradients for every family), copy and persistence. A family adds its data preparation, its
 * network's config and its {@code transform}.
 *
 * <p><b>Params.</b> Java's form of MLlib's params traits: each stage owns one {@link io.spindle.ml.DeclaredParams},
 * created in its constructor with its uid, and the params interfaces ({@link io.spindle.ml.HasArchitecture},
 * {@link io.spindle.ml.HasOptimization}, {@link io.spindle.ml.HasValidation}, {@link io.spindle.ml.HasCheckpoints},
 * {@link io.spindle.ml.HasTokenizerOptions}, {@link io.spindle.ml.HasInputCol}..., and one per family) expose each
 * Param through a public no-arg default method, which is how {@code Params.params} finds it. A Param shared by
 * several stages is declared once, with its doc, validator and (when every stage shares it) its default; a family
 * whose default differs sets it in its one {@code familyDefaults}. An Estimator and its Model implement the same
 * family interface, so they have the same Params and defaults.
 *
 * <p><b>Persistence.</b> MLlib's parameter metadata ({@code DefaultParamsWriter}/{@code DefaultParamsReader}) plus,
 * for a model, data files under {@code path/data/} on any Hadoop file system, written and read by the one
 * {@code MLWriter}/{@code MLReader} ({@code ModelPersistence}); the transformer models' {@code data/} is a model
 * folder of the one model-folder codec ({@code io.spindle.spark.HadoopFolder}). Every stage has static
 * {@code read()} and {@code load(path)}, so {@code PipelineModel.load} works. Scala types stay inside this
 * package's implementation.
 *
 * <p>May import {@code io.spindle.rl}, {@code io.spindle.spark}, {@code io.spindle.train}, {@code io.spindle.nn}, {@code io.spindle.data},
 * {@code io.spindle.metrics} and below.
 */
package io.spindle.ml;
