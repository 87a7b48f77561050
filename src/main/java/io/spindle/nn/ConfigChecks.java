package io.spindle.nn;

/**
 * The checks the config records make when constructed, with one wording for all three families: each failure is an
 * {@link IllegalArgumentException} "{@code <family> config: <field> ...}" naming the field by its {@code config.json}
 * key, which {@link ConfigJson#build} prefixes with the file it came from.
 */
final class ConfigChecks {
  private final String family;

  /** The checks of {@code family}'s config ("GPT", "encoder", "encoder-decoder"). */
  ConfigChecks(String family) {
    this.family = family;
  }

  void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(family + " config: " + message);
    }
  }

  /** A count (vocabulary, length, layers) must be at least 1. */
  void positive(String key, int value) {
    require(value > 0, key + " must be positive, got " + value);
  }

  /** {@code n_head} and {@code n_embd} must be positive, and the heads must split the width evenly (HS = C / NH). */
  void heads(int numHeads, int embedDim) {
    positive("n_head", numHeads);
    positive("n_embd", embedDim);
    require(embedDim % numHeads == 0, "n_embd (" + embedDim + ") must be divisible by n_head (" + numHeads + ")");
  }

  /** A dropout probability must be in [0, 1): 1 would drop everything. */
  void dropout(double dropout) {
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
  }
}
