/**
 * Data-parallel training on Spark: broadcast weights, per-partition forward/backward, gradients combined with
 * {@code treeAggregate}, the optimizer step on the driver, checkpoints on Hadoop file systems.
 *
 * <ul>
 *   <li>{@link io.spindle.spark.SparkTokenStream}: the training token stream, validated and cut into one cached
 *       {@link io.spindle.spark.TokenChunk} per partition, overlapping by the block size, its tail optionally held
 *       out for validation. From token ids, or from text lines tokenized on the executors ({@code TextSequences},
 *       the tokenizer broadcast); {@link io.spindle.spark.SparkVocabulary} learns that tokenizer from per-partition
 *       counts merged on the driver.
 *   <li>{@link io.spindle.spark.SparkLmTrainer}: the training loop; each step one {@code treeAggregate} job whose
 *       tasks compute the gradient of the windows of the global batch that start in their chunk, summed into a
 *       {@link io.spindle.spark.GradientSum} in an order independent of timing; options in
 *       {@link io.spindle.spark.SparkTrainingOptions}.
 *   <li>{@link io.spindle.spark.SparkClassifierTrainer}: the same step for an {@code EncoderClassifier} over
 *       {@link io.spindle.spark.SparkExamples} (labelled id sequences, one cached chunk per partition); the step's
 *       global batch is drawn over the global example index. {@link io.spindle.spark.ClassifierInference} scores
 *       batches inside tasks from weights broadcast once. With validation examples it scores them every
 *       {@link io.spindle.spark.ValidationPolicy#interval()} steps ({@link io.spindle.spark.ClassifierEvaluation}),
 *       stops early by the policy's rule and records everything in {@link io.spindle.spark.ClassifierProgress};
 *       its checkpoints are {@code ClassifierCheckpoint}s in a {@link io.spindle.spark.CheckpointStore}.
 *       {@link io.spindle.spark.LmInference} likewise scores texts and continues prompts with a GPT inside tasks.
 *   <li>{@link io.spindle.spark.SparkTranslationTrainer}: the same step for an {@code EncoderDecoder} over
 *       {@link io.spindle.spark.SparkTranslationPairs} ({@link io.spindle.spark.TranslationPair}s of source and
 *       target ids, one cached chunk per partition), global batch drawn like the classifier's, loss per target token.
 *       {@link io.spindle.spark.TranslationInference} translates batches inside tasks (greedy or beam search) from
 *       weights broadcast once.
 *   <li>Shared by all trainers: the driver's step ({@code DataParallelStep}: broadcast, treeAggregate, destroy),
 *       the executors' model pool ({@code ExecutorModels}) and {@code io.spindle.train.TrainingLoop}'s update; the
 *       example-drawing trainers also share {@code GlobalBatch.examples} and {@code GlobalBatch.owned}.
 *   <li>{@link io.spindle.spark.CheckpointStore}: checkpoints with checksums, committed by rename, newest valid one
 *       resumed; the GPT's and (through {@code ClassifierCheckpoint}) the classifier's.
 *   <li>{@link io.spindle.spark.SpindleKryoRegistrator}: Kryo registration of everything that crosses the wire.
 * </ul>
 *
 * <p>Sampling design: the windows of a step are a function of (seed, step, window index) over the <em>global</em>
 * stream, shared with the in-process trainer ({@code io.spindle.train.GlobalBatch}); each partition computes all B
 * window starts (cheap) and trains on those that start in its chunk. So every partitioning sees the same global
 * batch; the starts are stratified over the stream, so a partition holding 1/P of it owns B/P windows to within
 * one, and no task waits on a larger share.
 *
 * <p>May import {@code io.spindle.train}, {@code io.spindle.nn}, {@code io.spindle.optim}, {@code io.spindle.data}
 * and below; knows nothing of MLlib types.
 */
package io.spindle.spark;
