/**
 * The trainer core every model family and every trainer shares, independent of Spark.
 *
 * <ul>
 *   <li>A model family, described once: an {@link io.spindle.train.Objective} (its model's format and config, which
 *       draws of a step's global batch a part of the data holds, and the summed loss and gradient of a group of
 *       them): {@link io.spindle.train.LmObjective} over {@link io.spindle.train.TokenChunk}s,
 *       {@link io.spindle.train.ClassifierObjective} over {@link io.spindle.train.ExampleChunk}s,
 *       {@link io.spindle.train.TranslationObjective} over {@link io.spindle.train.PairChunk}s. The families that draw
 *       separate examples share {@link io.spindle.train.ExampleObjective} (the draws, which of them a part owns,
 *       evaluation in batches of examples).
 *   <li>The global batch of a step as a pure function of (seed, step, draw) over the whole data
 *       ({@link io.spindle.train.GlobalBatch}), so every trainer and partitioning trains on the same draws.
 *   <li>The driver side of a step ({@link io.spindle.train.TrainingLoop}: divide, clip, optimizer and schedule of the
 *       {@link io.spindle.train.TrainingConfig}, non-finite policy, validation and early stopping by a
 *       {@link io.spindle.train.ValidationPolicy}, recorded in a {@link io.spindle.train.TrainingProgress}).
 *   <li>The trainer in this JVM ({@link io.spindle.train.LocalTrainer}, threads as replicas:
 *       {@link io.spindle.train.LocalReplicas}); the deterministic sum of any split of a step's draws
 *       ({@link io.spindle.train.CanonicalSum}).
 *   <li>Step metrics and their JSON-lines log ({@link io.spindle.train.StepMetrics},
 *       {@link io.spindle.train.MetricsLog}), and the scoring of whole texts ({@link io.spindle.train.Perplexity}, the
 *       measure of {@code spindle score}).
 * </ul>
 *
 * <p>May import {@code io.spindle.nn}, {@code io.spindle.optim}, {@code io.spindle.data} and below.
 */
package io.spindle.train;
