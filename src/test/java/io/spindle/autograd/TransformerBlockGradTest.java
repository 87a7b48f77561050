package io.spindle.autograd;

import io.spindle.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * End-to-end gradient check of a whole pre-LN transformer block built from the primitive ops:
 * {@code x + proj(attn(ln1(x)))} then {@code + fc2(gelu(fc1(ln2(x))))}, with every weight, bias and the input as
 * differentiated leaves. The residual stream makes x (and the first residual sum) feed several branches, so this also
 * exercises gradient accumulation across uses.
 */
class TransformerBlockGradTest {
  private static final int B = 2;
  private static final int T = 3;
  private static final int C = 4;
  private static final int NH = 2;

  /** inputs: x, ln1 w, ln1 b, qkv w, qkv b, proj w, proj b, ln2 w, ln2 b, fc w, fc b, fc2 w, fc2 b. */
  private static Variable block(Graph g, Variable[] p, boolean causal, boolean[][] padding) {
    Variable x = p[0]; // (B, T, C)
    Variable h = LayerNorm.layerNorm(g, x, p[1], p[2], 1e-5f);
    Variable[] qkv = Shapes.split(g, MatMul.linear(g, h, p[3], p[4]), -1, C, C, C); // 3 x (B, T, C)
    Variable[] heads = new Variable[3];
    for (int i = 0; i < 3; i++) {
      heads[i] = Shapes.transpose(g, Shapes.reshape(g, qkv[i], B, T, NH, C / NH), 1, 2); // (B, NH, T, HS)
    }
    Variable y = Attention.scaledDotProduct(g, heads[0], heads[1], heads[2], causal, padding, 0f, 0L);
    y = Shapes.reshape(g, Shapes.transpose(g, y, 1, 2), B, T, C); // (B, T, C)
    x = Elementwise.add(g, x, MatMul.linear(g, y, p[5], p[6]));
    Variable m = LayerNorm.layerNorm(g, x, p[7], p[8], 1e-5f);
    m = MatMul.linear(g, Activations.gelu(g, MatMul.linear(g, m, p[9], p[10])), p[11], p[12]); // (B, T, C)
    return Elementwise.add(g, x, m);
  }

  private static Tensor[] inputs(Random rnd) {
    return new Tensor[] {
        GradCheck.random(rnd, B, T, C),
        GradCheck.random(rnd, C), GradCheck.random(rnd, C),
        GradCheck.random(rnd, 3 * C, C), GradCheck.random(rnd, 3 * C),
        GradCheck.random(rnd, C, C), GradCheck.random(rnd, C),
        GradCheck.random(rnd, C), GradCheck.random(rnd, C),
        GradCheck.random(rnd, 4 * C, C), GradCheck.random(rnd, 4 * C),
        GradCheck.random(rnd, C, 4 * C), GradCheck.random(rnd, C)};
  }

  @Test
  void causalBlock() {
    GradCheck.check("pre-LN block (causal)", (g, v) -> block(g, v, true, null), inputs(new Random(11)));
  }

  @Test
  void bidirectionalBlockWithPadding() {
    boolean[][] padding = {{false, false, true}, {false, false, false}};
    GradCheck.check("pre-LN block (padding)", (g, v) -> block(g, v, false, padding), inputs(new Random(12)));
  }
}
