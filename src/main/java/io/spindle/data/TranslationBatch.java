package io.spindle.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A batch of (source, target) pairs for an encoder-decoder (teacher forcing):
 * <ul>
 *   <li>{@code source}: the source ids padded with the source tokenizer's pad id, cut to {@code maxSourceLength};
 *   <li>{@code decoderInput}: {@code <bos> + target}, padded with the target pad id;
 *   <li>{@code decoderTargets}: {@code target + <eos>}, row-major like {@code decoderInput.ids()}, with
 *       {@link Batch#IGNORE} (-1) at padded positions so that the loss skips them.
 * </ul>
 * Decoder rows are cut to {@code maxTargetLength}; a cut row loses its {@code <eos>}. Position t of the decoder
 * reads {@code decoderInput[t]} and predicts {@code decoderTargets[t]}, which is {@code decoderInput[t + 1]} inside
 * the row.
 *
 * <p>The arrays are not copied: treat them as read-only. Equality compares contents.
 */
public record TranslationBatch(PaddedBatch source, PaddedBatch decoderInput, int[] decoderTargets) {
  public TranslationBatch {
    if (source.batch() != decoderInput.batch()
        || decoderTargets.length != (long) decoderInput.batch() * decoderInput.time()) {
      throw new IllegalArgumentException("TranslationBatch: " + source.batch() + " sources, "
          + decoderInput.batch() + " decoder rows of length " + decoderInput.time() + " and "
          + decoderTargets.length + " decoder targets do not agree");
    }
  }

  /**
   * Builds the batch from tokenized pairs; the target tokenizer must have {@code <pad>}, {@code <bos>} and
   * {@code <eos>}, the source tokenizer {@code <pad>} (they may be the same tokenizer). Throws
   * {@link IllegalArgumentException} for a missing special, unequal list sizes, empty lists or lengths below 1.
   */
  public static TranslationBatch of(List<int[]> sources, List<int[]> targets, Tokenizer sourceTokenizer,
      Tokenizer targetTokenizer, int maxSourceLength, int maxTargetLength) {
    int sourcePad = require(sourceTokenizer, Special.PAD, "source");
    int targetPad = require(targetTokenizer, Special.PAD, "target");
    int bos = require(targetTokenizer, Special.BOS, "target");
    int eos = require(targetTokenizer, Special.EOS, "target");
    return of(sources, targets, sourcePad, targetPad, bos, eos, maxSourceLength, maxTargetLength);
  }

  /**
   * Builds the batch from tokenized pairs and the special ids themselves (where no tokenizer is at hand, as in a
   * Spark task): the source pad id, the target pad id, {@code <bos>} and {@code <eos>}. Throws
   * {@link IllegalArgumentException} for unequal list sizes, empty lists, a negative pad id or lengths below 1.
   */
  public static TranslationBatch of(List<int[]> sources, List<int[]> targets, int sourcePad, int targetPad, int bos,
      int eos, int maxSourceLength, int maxTargetLength) {
    if (sources.size() != targets.size()) {
      throw new IllegalArgumentException("TranslationBatch.of: " + sources.size() + " sources but "
          + targets.size() + " targets");
    }
    if (maxSourceLength < 1 || maxTargetLength < 1) {
      throw new IllegalArgumentException("TranslationBatch.of: max lengths must be >= 1, got source "
          + maxSourceLength + ", target " + maxTargetLength);
    }
    PaddedBatch source = PaddedBatch.pad(sources, sourcePad, maxSourceLength);
    List<int[]> inputs = new ArrayList<>(targets.size());
    List<int[]> outputs = new ArrayList<>(targets.size());
    for (int[] target : targets) {
      int[] input = new int[target.length + 1]; // <bos> + target
      input[0] = bos;
      System.arraycopy(target, 0, input, 1, target.length);
      int[] output = Arrays.copyOf(target, target.length + 1); // target + <eos>
      output[target.length] = eos;
      inputs.add(input);
      outputs.add(output);
    }
    PaddedBatch decoderInput = PaddedBatch.pad(inputs, targetPad, maxTargetLength);
    PaddedBatch padded = PaddedBatch.padTo(outputs, targetPad, decoderInput.time(), "TranslationBatch.of");
    int[] decoderTargets = padded.ids(); // (B, T)
    for (int b = 0; b < padded.batch(); b++) {
      int time = padded.time();
      Arrays.fill(decoderTargets, b * time + padded.lengths()[b], (b + 1) * time, Batch.IGNORE);
    }
    return new TranslationBatch(source, decoderInput, decoderTargets);
  }

  /** The number of decoder targets that are not {@link Batch#IGNORE}: the denominator of the mean loss. */
  public int targetCount() {
    int n = 0;
    for (int target : decoderTargets) {
      n += target == Batch.IGNORE ? 0 : 1;
    }
    return n;
  }

  private static int require(Tokenizer tokenizer, Special special, String side) {
    return tokenizer.specialId(special).orElseThrow(() -> new IllegalArgumentException("TranslationBatch.of: the "
        + side + " tokenizer has no " + special.token() + " token (its specials: "
        + tokenizer.options().specials() + ")"));
  }

  public int batch() {
    return source.batch();
  }

  /** {@code decoderTargets[b*T + t]} for the decoder's T. */
  public int decoderTarget(int b, int t) {
    return decoderTargets[b * decoderInput.time() + t];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TranslationBatch other && source.equals(other.source)
        && decoderInput.equals(other.decoderInput) && Arrays.equals(decoderTargets, other.decoderTargets);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * source.hashCode() + decoderInput.hashCode()) + Arrays.hashCode(decoderTargets);
  }

  @Override
  public String toString() {
    return "TranslationBatch(B=" + batch() + ", source T=" + source.time() + ", decoder T=" + decoderInput.time()
        + ")";
  }
}
