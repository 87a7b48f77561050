/**
 * JMH benchmarks of the engine, run with {@code bin/bench}: {@link io.spindle.bench.SgemmBenchmark} compares the
 * BLAS backends and {@link io.spindle.bench.SgemmTable} prints its results as GFLOP/s. Imports only
 * {@code io.spindle.tensor} (and its test-side {@code Backends}) and JMH.
 */
package io.spindle.bench;
