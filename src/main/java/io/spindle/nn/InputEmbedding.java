package io.spindle.nn;

import io.spindle.autograd.Dropout;
import io.spindle.autograd.Elementwise;
import io.spindle.autograd.Embedding;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Variable;
import io.spindle.tensor.Tensor;

/** The input of a transformer stack: token embeddings plus position information, then dropout. */
final class InputEmbedding {
  private InputEmbedding() {}

  /**
   * Token ids (B*T, row-major) at positions {@code start} to {@code start + T - 1} → (B, T, C):
   * {@code dropout(wte[ids] + wpe[positions])} with a learned position table (GPT-2, BERT), or, when {@code wpe}
   * is null, {@code dropout(wte[ids] * sqrt(C) + PE[positions])} with the fixed {@link SinusoidalPositions} table
   * {@code sinusoids} (Vaswani et al. 2017, sections 3.4 and 3.5). Dropout masks come from {@code seed}.
   */
  static Variable apply(Graph g, Variable wte, Variable wpe, Tensor sinusoids, int[] ids, int batch, int time,
      int start, float dropout, long seed) {
    Variable x = Embedding.lookup(g, wte, ids, batch, time); // (B, T, C)
    Variable pos;
    if (wpe != null) {
      int[] positions = new int[time];
      for (int t = 0; t < time; t++) {
        positions[t] = start + t;
      }
      pos = Embedding.lookup(g, wpe, positions, time); // (T, C)
    } else {
      x = Elementwise.scale(g, x, (float) Math.sqrt(x.value().dim(-1))); // (B, T, C)
      pos = Variable.constant(sinusoids.narrow(start, time)); // (T, C)
    }
    return Dropout.dropout(g, Elementwise.add(g, x, pos), dropout, seed); // (B, T, C)
  }
}
