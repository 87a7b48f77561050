/**
 * Reverse-mode automatic differentiation over tensors.
 *
 * <p>A {@link io.spindle.autograd.Graph} records the forward pass as a tape of
 * {@link io.spindle.autograd.Variable}s; {@link io.spindle.autograd.Graph#backward} walks it in reverse and each op's
 * backward rule <em>adds</em> its contribution to its inputs' gradients (chain rule), so a value used twice receives
 * both. Ops are static methods grouped one concept per class ({@link io.spindle.autograd.MatMul},
 * {@link io.spindle.autograd.Elementwise}, ...), each with its forward and backward side by side; every op takes the
 * graph as its first argument. An inference graph is the no-grad mode; given an
 * {@link io.spindle.autograd.AttentionRecorder} it also keeps the attention probabilities of its pass.
 * {@link io.spindle.autograd.Parameters} keeps all trainable weights and their gradients in two flat buffers.
 *
 * <p>Shape letters in comments: B batch, T time (query positions), S key positions, C channels, NH heads,
 * HS head size, V vocabulary, N rows.
 *
 * <p>May import {@code io.spindle.tensor} only, plus the incubating {@code jdk.incubator.vector} in
 * {@link io.spindle.autograd.VectorMath} alone, which is only loaded when {@link io.spindle.tensor.Simd#ENABLED}.
 */
package io.spindle.autograd;
