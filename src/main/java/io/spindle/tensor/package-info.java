/**
 * Dense float32 tensors and the BLAS they run on.
 *
 * <p>{@link io.spindle.tensor.Tensor} is a contiguous row-major view of a {@link io.spindle.tensor.Storage}; storage
 * is off-heap when the native backend is active so that OpenBLAS reads it without a JNI copy.
 * {@link io.spindle.tensor.Blas} is the matrix-multiply interface with two backends, native OpenBLAS bundled in the jar
 * (JavaCPP presets) and Spark's pure-Java netlib BLAS; the choice is made once per JVM and logged (system property
 * {@code spindle.blas} / environment {@code SPINDLE_BLAS}; threads {@code spindle.blas.threads} /
 * {@code SPINDLE_BLAS_THREADS}, default 1). {@link io.spindle.tensor.Arena} recycles buffers across training steps.
 *
 * <p>Depends on nothing else in Spindle.
 */
package io.spindle.tensor;
