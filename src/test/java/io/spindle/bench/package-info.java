/**
 * JMH benchmarks of the engine, run with {@code bin/bench}: {@link io.spindle.bench.SgemmBenchmark} compares the
 * BLAS backends and {@link io.spindle.bench.SgemmTable} prints its results as GFLOP/s;
 * {@link io.spindle.bench.TrainStepBenchmark} times one GPT training step ({@link io.spindle.bench.TrainStepTable}
 * prints it, {@link io.spindle.bench.TrainStepTimer} times it like the PyTorch reference, and
 * {@link io.spindle.bench.OpProfile} attributes a flight recording of it to ops).
 * {@link io.spindle.bench.SparkTrainBench} ({@code bin/bench spark}, a plain main) compares the Spark trainer with the
 * in-process one and takes Spark steps apart ({@link io.spindle.bench.SparkStepEvents}).
 * {@link io.spindle.bench.BpeEncodeBench} ({@code bin/bench bpe}, a plain main) times single-threaded BPE encoding.
 * Imports the engine packages ({@code tensor}, {@code autograd}, {@code nn}, {@code optim}), {@code data},
 * {@code train} and {@code spark}, the test-side
 * {@code Backends}, JMH, Spark and picocli.
 */
package io.spindle.bench;
