package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.PaddedBatch;
import io.spindle.data.Tokenizer;
import io.spindle.nn.EncoderDecoder;
import io.spindle.nn.EncoderDecoderConfig;
import io.spindle.nn.EncoderDecoderFormat;
import io.spindle.nn.Translator;
import io.spindle.train.TranslationObjective;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Batched translation inside Spark tasks: the driver broadcasts the weights once ({@link #broadcast}); this small
 * object (the weights' handle, the model spec and the two tokenizers as their {@code tokenizer.json} bytes) travels
 * in the closure, and in each task the first call builds the model and the tokenizers (once per task, never per
 * row), later calls reuse them.
 *
 * <p>Decoding: {@code beamSize} 1 is greedy over the whole batch at once (the same result as one row at a time);
 * larger beams search row by row with GNMT's length penalty alpha ({@link Translator}). Sources longer than the
 * model's {@code maxSourceLength} tokens are truncated.
 *
 * <p>The broadcast is left to Spark's cleaner (it lives as long as a lazy result may still need it); call
 * {@link #destroy()} when no job will use it again.
 */
public final class TranslationInference implements Serializable {
  private static final long serialVersionUID = 1L;

  private final BroadcastModel<EncoderDecoderConfig, EncoderDecoder> model;
  private final TranslationObjective specials;
  private final byte[] sourceTokenizerJson;
  private final byte[] targetTokenizerJson;
  private transient Translator translator;
  private transient Tokenizer sourceTokenizer;
  private transient Tokenizer targetTokenizer;

  private TranslationInference(BroadcastModel<EncoderDecoderConfig, EncoderDecoder> model,
      TranslationObjective specials, byte[] sourceTokenizerJson, byte[] targetTokenizerJson) {
    this.model = model;
    this.specials = specials;
    this.sourceTokenizerJson = sourceTokenizerJson;
    this.targetTokenizerJson = targetTokenizerJson;
  }

  /** Broadcasts {@code model}'s current weights; the tokenizers must have the specials the model was trained with. */
  public static TranslationInference broadcast(JavaSparkContext jsc, EncoderDecoder model,
      Tokenizer sourceTokenizer, Tokenizer targetTokenizer) {
    // the objective is where the specials are looked up and checked, once (its batch layout is not used here)
    TranslationObjective specials = TranslationObjective.of(model.config(), sourceTokenizer, targetTokenizer, 0, 1,
        new long[] {0}, 1);
    return new TranslationInference(BroadcastModel.of(jsc, EncoderDecoderFormat.INSTANCE, model), specials,
        sourceTokenizer.toBytes(), targetTokenizer.toBytes());
  }

  /**
   * The translations of {@code sources}: a null source gives null, a source with no tokens the empty string.
   * {@code maxOutputLength} caps the tokens generated per source ({@code <eos>} not counted; 0 = as many as the
   * model's {@code maxTargetLength} allows).
   */
  public List<String> translate(List<String> sources, int beamSize, double lengthPenalty, int maxOutputLength) {
    tokenizers();
    List<int[]> ids = new ArrayList<>();
    List<Integer> rows = new ArrayList<>();
    String[] out = new String[sources.size()];
    for (int i = 0; i < sources.size(); i++) {
      String text = sources.get(i);
      if (text == null) {
        continue;
      }
      int[] encoded = sourceTokenizer.encode(text);
      if (encoded.length == 0) {
        out[i] = "";
      } else {
        ids.add(encoded);
        rows.add(i);
      }
    }
    if (!ids.isEmpty()) {
      int[][] translated = translateIds(ids, beamSize, lengthPenalty, maxOutputLength);
      for (int k = 0; k < translated.length; k++) {
        out[rows.get(k)] = targetTokenizer.decode(translated[k]);
      }
    }
    return Arrays.asList(out);
  }

  /**
   * The target ids (without {@code <bos>} and {@code <eos>}) of non-empty id sequences {@code sources}; see
   * {@link #translate} for the arguments.
   */
  public int[][] translateIds(List<int[]> sources, int beamSize, double lengthPenalty, int maxOutputLength) {
    if (beamSize < 1) {
      throw new BadInputException("translation: beam size must be >= 1, got " + beamSize);
    }
    if (maxOutputLength < 0) {
      throw new BadInputException("translation: max output length must be >= 0 (0 = the model's "
          + "max_target_length), got " + maxOutputLength);
    }
    int cap = model.config().maxTargetLength();
    int maxLength = maxOutputLength == 0 ? cap : Math.min(cap, maxOutputLength + 1); // + <eos>
    PaddedBatch batch = PaddedBatch.pad(sources, specials.sourcePad(), model.config().maxSourceLength()); // (B, S)
    Translator t = translator();
    return beamSize == 1 ? t.greedy(batch, maxLength) : t.beamSearch(batch, beamSize, lengthPenalty, maxLength);
  }

  /** Releases the broadcast weights on the driver and the executors. */
  public void destroy() {
    model.destroy();
  }

  private Translator translator() {
    if (translator == null) {
      translator = new Translator(model.model(), specials.bos(), specials.eos());
    }
    return translator;
  }

  private void tokenizers() {
    if (sourceTokenizer == null) {
      sourceTokenizer = Tokenizer.fromBytes(sourceTokenizerJson);
      targetTokenizer = Arrays.equals(sourceTokenizerJson, targetTokenizerJson) ? sourceTokenizer
          : Tokenizer.fromBytes(targetTokenizerJson);
    }
  }
}
