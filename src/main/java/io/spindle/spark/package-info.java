/**
 * Data-parallel training on Spark, for every model family: broadcast weights, per-partition forward/backward,
 * gradients combined with {@code treeAggregate}, the optimizer step on the driver, checkpoints on Hadoop file
 * systems. The family is the trainer core's {@code io.spindle.train.Objective}; everything here is written once.
 *
 * <ul>
 *   <li>{@link io.spindle.spark.SparkTrainer}: the one Spark trainer. Each step one {@code treeAggregate} job
 *       ({@code DataParallelStep}: broadcast, aggregate, destroy) whose tasks ({@code StepTask}) compute the gradient
 *       of the draws of the global batch their part holds, summed into a {@link io.spindle.spark.GradientSum} in an
 *       order independent of timing (or, deterministic, along a canonical tree), written into the task's result
 *       straight from the task's gradient buffer ({@code LentGradient}); then the core's
 *       {@code TrainingLoop} update. Validation data is scored by one job ({@code SparkEvaluation}); options in
 *       {@link io.spindle.spark.SparkTrainingOptions}.
 *   <li>The data, as {@link io.spindle.spark.SparkParts}: {@link io.spindle.spark.SparkTokenStream} (a token stream
 *       cut into one cached chunk per partition, overlapping by the block size, its tail optionally held out; from
 *       ids or from text tokenized on the executors, the tokenizer learned by
 *       {@link io.spindle.spark.SparkVocabulary} from per-partition counts), {@link io.spindle.spark.SparkExamples}
 *       and {@link io.spindle.spark.SparkTranslationPairs} (one cached chunk of examples or pairs per partition,
 *       globally indexed: {@code IndexedParts}). Each makes the objective of its layout.
 *   <li>Checkpoints: {@link io.spindle.spark.CheckpointStore} (SHA-256 manifest, commit by rename, retention,
 *       newest valid one resumed) holding {@code TrainingCheckpoint}s: the model folder, optimizer state,
 *       {@link io.spindle.spark.TrainerState} and the run's settings and progress.
 *   <li>Inference inside tasks from weights broadcast once ({@code BroadcastModel}):
 *       {@link io.spindle.spark.LmInference} (scores and continuations), {@link io.spindle.spark.ClassifierInference},
 *       {@link io.spindle.spark.TranslationInference}; the executors' model pool ({@code ExecutorModels}).
 *   <li>{@link io.spindle.spark.HadoopFolder}: model folders on any Hadoop file system;
 *       {@link io.spindle.spark.SparkJobs}: bad input found in a task reported as itself;
 *       {@link io.spindle.spark.SpindleKryoRegistrator}: Kryo registration of everything that crosses the wire.
 * </ul>
 *
 * <p>May import {@code io.spindle.train}, {@code io.spindle.nn}, {@code io.spindle.optim}, {@code io.spindle.data}
 * and below; knows nothing of MLlib types.
 */
package io.spindle.spark;
