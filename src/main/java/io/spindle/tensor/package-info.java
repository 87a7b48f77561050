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
 * <p>Element kernels: {@link io.spindle.tensor.Scratch} hands out per-thread {@code float[]} / {@code double[]} work
 * arrays, so kernels can bulk-copy blocks out of off-heap storage into loops HotSpot vectorises.
 * {@link io.spindle.tensor.Parallel} is the opt-in intra-op parallelism of those kernels (GELU, LayerNorm, attention
 * heads, AdamW): {@code spindle.op.threads} / {@code SPINDLE_OP_THREADS} or {@link io.spindle.tensor.Parallel#setThreads},
 * default 1, because Spark runs one task per core. A single-process trainer with two cores of its own sets both it
 * and the BLAS threads to 2. {@link io.spindle.tensor.Simd} says whether the Vector API kernels of
 * {@code io.spindle.autograd} may run in this JVM.
 *
 * <p>Depends on nothing else in Spindle.
 */
package io.spindle.tensor;
