package io.spindle.spark;

import io.spindle.data.BadInputException;
import io.spindle.data.Tokenizer;
import io.spindle.nn.Gpt;
import io.spindle.nn.GptConfig;
import io.spindle.nn.GptFormat;
import io.spindle.nn.Sampler;
import io.spindle.nn.Seeds;
import io.spindle.train.BatchGradient;
import io.spindle.train.Perplexity;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Language-model inference inside Spark tasks: the driver broadcasts the weights and the tokenizer once
 * ({@link #broadcast}); this small object travels in the closure, and in each task the first call builds the
 * {@link Gpt} and parses the tokenizer (once per task, never per row), later calls reuse them.
 *
 * <ul>
 *   <li>{@link #score}: texts scored as {@link Perplexity#scoreEach} defines it, the windows of a batch of texts
 *       packed into forward passes of {@link #WINDOWS_PER_PASS}; texts are encoded with {@link Tokenizer#encode}
 *       (unknown characters or words become {@code <unk>}, as {@code spindle score --text} does).
 *   <li>{@link #generate}: one prompt's continuation with {@link Sampler} (KV cache, temperature, top-k), the prompt
 *       encoded with {@link Tokenizer#encodeStrict} (an unknown character or word is an
 *       {@link IllegalArgumentException} naming it, as {@code spindle generate} reports it), the draws seeded by the
 *       seed and the prompt's ids, so a prompt gives the same text wherever and in whatever order it is generated.
 * </ul>
 *
 * <p>The broadcasts are left to Spark's cleaner (a lazy result may still need them); {@link #destroy()} releases
 * them when no job will.
 */
public final class LmInference implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Evaluation windows per forward pass in {@link #score}. */
  public static final int WINDOWS_PER_PASS = 32;

  private final BroadcastModel<GptConfig, Gpt> model;
  private final Broadcast<byte[]> tokenizerJson;
  private transient Tokenizer tokenizer;

  private LmInference(BroadcastModel<GptConfig, Gpt> model, Broadcast<byte[]> tokenizerJson) {
    this.model = model;
    this.tokenizerJson = tokenizerJson;
  }

  /** Broadcasts {@code model}'s current weights and {@code tokenizer}. */
  public static LmInference broadcast(JavaSparkContext jsc, Gpt model, Tokenizer tokenizer) {
    return new LmInference(BroadcastModel.of(jsc, GptFormat.INSTANCE, model), jsc.broadcast(tokenizer.toBytes()));
  }

  /**
   * The summed next-token loss and the number of predicted tokens of each text, in order; a null text, or one of
   * fewer than 2 tokens, gets (0, 0).
   */
  public BatchGradient.Result[] score(List<String> texts) {
    Tokenizer tok = tokenizer();
    List<int[]> ids = new ArrayList<>(texts.size());
    for (String text : texts) {
      ids.add(text == null ? new int[0] : tok.encode(text));
    }
    return Perplexity.scoreEach(model.model(), ids, WINDOWS_PER_PASS);
  }

  /**
   * The text of {@code maxNewTokens} tokens continuing {@code prompt} (the continuation only), drawn with
   * {@code temperature} (0 = greedy) among the {@code topK} likeliest tokens (0 = all) from the seed
   * {@code Seeds.derive(seed, prompt ids...)}. Throws {@link IllegalArgumentException} for an empty prompt or one
   * with a character or word outside the vocabulary.
   */
  public String generate(String prompt, int maxNewTokens, double temperature, int topK, long seed) {
    Tokenizer tok = tokenizer();
    int[] ids = tok.encodeStrict(prompt);
    if (ids.length == 0) {
      throw new BadInputException("the prompt '" + prompt + "' has no tokens");
    }
    long[] keys = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      keys[i] = ids[i];
    }
    int[] generated = new Sampler(model.model()).generate(ids, maxNewTokens, temperature, topK, Seeds.derive(seed, keys));
    return tok.decode(generated);
  }

  /** Releases the broadcast weights and tokenizer on the driver and the executors. */
  public void destroy() {
    model.destroy();
    tokenizerJson.destroy();
  }

  private Tokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = Tokenizer.fromBytes(tokenizerJson.value());
    }
    return tokenizer;
  }
}
