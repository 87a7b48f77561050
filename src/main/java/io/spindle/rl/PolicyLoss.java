package io.spindle.rl;

import io.spindle.autograd.Elementwise;
import io.spindle.autograd.Graph;
import io.spindle.autograd.Reductions;
import io.spindle.autograd.TokenLogProbs;
import io.spindle.autograd.Variable;
import io.spindle.data.Batch;
import io.spindle.nn.Gpt;
import io.spindle.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The loss of policy-gradient fine-tuning over a group of sampled completions, and its gradient:
 * <pre>
 *   L = sum_i [ -A_i sum_t log pi(y_it | x_i, y_i&lt;t) + beta sum_t k3_it ],
 *   k3_it = exp(r_it) - 1 - r_it,   r_it = log pi_ref(y_it | ...) - log pi(y_it | ...),
 * </pre>
 * summed over completions i (prompt x_i, completion y_i, advantage A_i held constant) and their tokens t. The first
 * term is the REINFORCE surrogate: its gradient is {@code -sum_i A_i grad log pi(y_i | x_i)}, the policy gradient
 * of the expected reward estimated from the samples. The second is the KL penalty, with k3 (Schulman's "approximating
 * KL divergence") as the per-token estimate: its mean over tokens sampled from pi is an unbiased estimate of the
 * per-token KL(pi || pi_ref), and it is never negative. Its gradient with respect to log pi is
 * {@code beta (1 - pi_ref / pi)}: it pushes a token's probability down where pi exceeds pi_ref and up where it falls
 * short, and vanishes when pi = pi_ref. In expectation over sampled tokens this is the gradient of
 * KL(pi_ref || pi) at each position (as in DeepSeekMath's GRPO), a penalty that, like KL(pi || pi_ref), is zero exactly
 * when the two models agree.
 *
 * <p>Composed from autodiff ops ({@link TokenLogProbs}, {@link Elementwise}, {@link Reductions}), so the gradient is
 * the tape's and the finite-difference test of the whole loss checks it. No dropout: the log-probabilities must be
 * those of the distribution the completions were sampled from.
 */
final class PolicyLoss {
  private PolicyLoss() {}

  /**
   * A group's completions as one padded batch of {@code rows} sequences of {@code time} positions: row i is prompt
   * x_i followed by completion y_i, input {@code (x_i y_i)[0 .. L-2]} and target {@code (x_i y_i)[1 .. L-1]}, targets
   * other than the completion's tokens (the prompt's, the padding) set to {@link Batch#IGNORE}; {@code weights} is
   * -A_i at row i's completion positions and 0 elsewhere; {@code counted} is the number of completion tokens.
   */
  record Rows(int[] inputs, int[] targets, float[] weights, int rows, int time, int counted) {
    /** Whether position {@code p} (row-major, rows x time) holds a completion token. */
    boolean counts(int p) {
      return targets[p] != Batch.IGNORE;
    }
  }

  /** The rows of completions {@code completions.get(i)} of {@code prompts.get(i)}, with {@code advantages[i]}. */
  static Rows rows(List<int[]> prompts, List<int[]> completions, double[] advantages) {
    int rows = prompts.size();
    int time = 0;
    for (int i = 0; i < rows; i++) {
      time = Math.max(time, prompts.get(i).length + completions.get(i).length - 1);
    }
    int[] inputs = new int[rows * time]; // (B, T)
    int[] targets = new int[rows * time]; // (B, T)
    float[] weights = new float[rows * time]; // (B, T)
    Arrays.fill(targets, Batch.IGNORE);
    int counted = 0;
    for (int i = 0; i < rows; i++) {
      int[] x = prompts.get(i);
      int[] y = completions.get(i);
      int length = x.length + y.length;
      int base = i * time;
      for (int t = 0; t < time; t++) {
        int p = Math.min(t, length - 2); // past the end: repeat the last input (the causal mask hides it)
        inputs[base + t] = p < x.length ? x[p] : y[p - x.length];
      }
      for (int j = 0; j < y.length; j++) {
        int t = x.length - 1 + j; // the position whose next token is y_j
        targets[base + t] = y[j];
        weights[base + t] = (float) -advantages[i];
      }
      counted += y.length;
    }
    return new Rows(inputs, targets, weights, rows, time, counted);
  }

  /** Each position's target log-probability under {@code model} (0 where ignored), without a graph. */
  static float[] logProbs(Gpt model, Rows r) {
    Graph g = Graph.inference();
    Variable logits = model.logits(g, r.inputs(), r.rows(), r.time(), false, 0L); // (B, T, V)
    return TokenLogProbs.tokenLogProbs(g, logits, r.targets(), Batch.IGNORE).value().toArray(); // (B*T)
  }

  /** The loss, its KL part and the policy's entropy, summed over a group's completion tokens. */
  record Outcome(double loss, double klSum, double entropySum) {}

  /** The forward pass of the loss: the policy's logits (B, T, V), its target log-probabilities (B*T), the loss (). */
  record Forward(Variable logits, Variable logp, Variable loss) {}

  /** The loss of {@code r} under {@code policy} on {@code g}, with the reference log-probabilities {@code reference}. */
  static Forward forward(Graph g, Gpt policy, Rows r, float[] reference, double beta) {
    Variable logits = policy.logits(g, r.inputs(), r.rows(), r.time(), false, 0L); // (B, T, V)
    Variable logp = TokenLogProbs.tokenLogProbs(g, logits, r.targets(), Batch.IGNORE); // (B*T)
    return new Forward(logits, logp, loss(g, logp, r, reference, beta));
  }

  /**
   * Forward and backward of the loss of {@code r} on {@code g} (reset first) with the reference log-probabilities
   * {@code reference} ({@link #logProbs} of pi_ref); the gradient is added to {@code policy}'s gradient buffer. The
   * KL sum and the entropy come from the same forward pass, in double, whatever {@code beta} is.
   */
  static Outcome accumulate(Gpt policy, Graph g, Rows r, float[] reference, double beta) {
    g.reset();
    Forward f = forward(g, policy, r, reference, beta);
    Outcome outcome = new Outcome(f.loss().value().get(0), klSum(f.logp().value(), r, reference),
        entropySum(f.logits().value(), r));
    g.backward(f.loss());
    return outcome;
  }

  /** The loss of {@code r} under {@code policy}, without a graph. */
  static double value(Gpt policy, Rows r, float[] reference, double beta) {
    return forward(Graph.inference(), policy, r, reference, beta).loss().value().get(0);
  }

  /**
   * {@code sum_p w_p logp_p + beta sum_p (exp(d_p) - 1 - d_p)}, d = reference - logp; the KL term is left out of the
   * graph when beta is 0. At ignored positions logp and the reference are both 0, so d = 0 and exp(d) - 1 - d = 0:
   * they add nothing, and the sum over all positions is the sum over the completion tokens.
   */
  private static Variable loss(Graph g, Variable logp, Rows r, float[] reference, double beta) {
    int n = r.rows() * r.time();
    Variable pg = Reductions.sum(g, Elementwise.mul(g, logp, Variable.constant(Tensor.of(r.weights(), n)))); // ()
    if (beta == 0) {
      return pg;
    }
    float[] ones = new float[n];
    Arrays.fill(ones, 1f);
    Variable d = Elementwise.sub(g, Variable.constant(Tensor.of(reference, n)), logp); // (B*T)
    Variable k3 = Elementwise.sub(g, Elementwise.sub(g, Elementwise.exp(g, d), d),
        Variable.constant(Tensor.of(ones, n))); // (B*T)
    return Elementwise.add(g, pg, Elementwise.scale(g, Reductions.sum(g, k3), (float) beta)); // ()
  }

  /** {@code sum_t k3_t} over the completion tokens, in double. */
  private static double klSum(Tensor logp, Rows r, float[] reference) {
    double sum = 0;
    for (int p = 0; p < r.rows() * r.time(); p++) {
      if (r.counts(p)) {
        double d = (double) reference[p] - logp.get(p);
        sum += Math.expm1(d) - d;
      }
    }
    return sum;
  }

  /** {@code sum_t H(pi(. | prefix_t))} over the completion positions: {@code lse - sum_j p_j x_j}, in double. */
  private static double entropySum(Tensor logits, Rows r) {
    int v = logits.dim(-1);
    float[] row = new float[v];
    double sum = 0;
    for (int p = 0; p < r.rows() * r.time(); p++) {
      if (!r.counts(p)) {
        continue;
      }
      logits.buffer().get(logits.offset() + p * v, row, 0, v);
      double max = Double.NEGATIVE_INFINITY;
      for (float x : row) {
        max = Math.max(max, x);
      }
      double z = 0;
      double weighted = 0;
      for (float x : row) {
        double e = Math.exp(x - max);
        z += e;
        weighted += e * (x - max);
      }
      sum += Math.log(z) - weighted / z; // H = log Z - E_p[x - max]
    }
    return sum;
  }
}
