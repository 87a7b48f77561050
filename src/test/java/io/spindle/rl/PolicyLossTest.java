package io.spindle.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.autograd.Graph;
import io.spindle.nn.Gpt;
import io.spindle.nn.WholeModelGradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The policy-gradient loss against central finite differences of its value, with respect to every parameter of a
 * tiny GPT, with both terms on: advantages of both signs, and a reference that differs from the policy.
 */
class PolicyLossTest {
  /** Four completions of different lengths after prompts of different lengths, so rows are padded. */
  private static PolicyLoss.Rows rows(double[] advantages) {
    List<int[]> prompts = List.of(new int[] {1, 2}, new int[] {1, 2}, new int[] {3, 0, 4, 5}, new int[] {6});
    List<int[]> completions = List.of(new int[] {7, 8, 9}, new int[] {2}, new int[] {10, 0, 1, 1, 2},
        new int[] {5, 5});
    return PolicyLoss.rows(prompts, completions, advantages);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Gpt reference = RlFixtures.model(11);
    Gpt policy = RlFixtures.model(12);
    PolicyLoss.Rows r = rows(new double[] {0.7, -0.7, 1.3, -1.3});
    float[] referenceLogProbs = PolicyLoss.logProbs(reference, r);
    double beta = 0.5;
    // WholeModelGradCheck's tolerance: a float32 loss of O(10) rounds by about 1e-6, which divided by 2h = 2e-2 is
    // 5e-5, far inside 2e-3; a dropped term (the KL's, say) misses by O(1) relative
    WholeModelGradCheck.check(policy.parameters(),
        g -> PolicyLoss.forward(g, policy, r, referenceLogProbs, beta).loss(), new Random(3), 3);
  }

  /** The two terms' values: the policy-gradient surrogate and the KL estimate, by hand in double. */
  @Test
  void valueIsTheSurrogatePlusBetaTimesK3() {
    Gpt reference = RlFixtures.model(11);
    Gpt policy = RlFixtures.model(12);
    double[] advantages = {0.7, -0.7, 1.3, -1.3};
    PolicyLoss.Rows r = rows(advantages);
    float[] ref = PolicyLoss.logProbs(reference, r);
    float[] logp = PolicyLoss.logProbs(policy, r);
    double surrogate = 0;
    double k3 = 0;
    int counted = 0;
    for (int p = 0; p < logp.length; p++) {
      if (r.counts(p)) {
        surrogate += -advantages[p / r.time()] * logp[p];
        double d = (double) ref[p] - logp[p];
        k3 += Math.exp(d) - 1 - d;
        counted++;
      }
    }
    assertEquals(3 + 1 + 5 + 2, counted);
    assertTrue(k3 > 0, "two different models: a positive KL estimate");
    // float32 sums of about 20 terms of O(1): within 1e-5 relative
    assertEquals(surrogate + 0.25 * k3, PolicyLoss.value(policy, r, ref, 0.25), 1e-5 * (1 + Math.abs(surrogate)));
    assertEquals(surrogate, PolicyLoss.value(policy, r, ref, 0), 1e-5 * (1 + Math.abs(surrogate)));
    assertEquals(0, PolicyLoss.value(reference, r, ref, 0.25) - PolicyLoss.value(reference, r, ref, 0), 1e-6,
        "the KL of a model to itself");
  }

  /** With all advantages 0 and beta 0 the gradient is exactly 0: there is nothing to learn. */
  @Test
  void zeroAdvantagesAndNoKlGiveAZeroGradient() {
    Gpt policy = RlFixtures.model(12);
    PolicyLoss.Rows r = rows(new double[4]);
    PolicyLoss.accumulate(policy, Graph.training(), r, PolicyLoss.logProbs(RlFixtures.model(11), r), 0);
    float[] grads = policy.parameters().grads().toArray();
    for (int i = 0; i < grads.length; i++) {
      assertEquals(0f, grads[i], policy.parameters().nameAt(i));
    }
    List<Float> nonZero = new ArrayList<>();
    PolicyLoss.Rows moving = rows(new double[] {1, 0, 0, 0});
    PolicyLoss.accumulate(policy, Graph.training(), moving, PolicyLoss.logProbs(policy, moving), 0);
    for (float g : policy.parameters().grads().toArray()) {
      if (g != 0) {
        nonZero.add(g);
      }
    }
    assertTrue(nonZero.size() > grads.length / 2, "one non-zero advantage moves most weights");
  }
}
