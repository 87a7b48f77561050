package io.spindle.nn;

import io.spindle.autograd.Parameters;
import io.spindle.data.BadInputException;
import io.spindle.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Map;

/**
 * What one model family's files look like, and how the family's model is made from its config and weights: the
 * {@code model_type} of {@code config.json} and its fields, and the tensors of {@code model.safetensors}. The layout
 * of a whole model folder (which files, the tokenizers) is {@link ModelFolder}'s, the same for every family.
 *
 * <p>Implementations: {@link GptFormat}, {@link EncoderClassifierFormat}, {@link EncoderDecoderFormat}, stateless
 * enum singletons ({@code INSTANCE}), serializable so that trainers can ship them to Spark executors with a config.
 * Each gives its {@link #family()}; the rest is shared, except where a family's files differ (GPT's tied
 * {@code lm_head.weight}).
 *
 * @param <C> the family's config record
 * @param <M> the family's model
 */
public interface ModelFormat<C extends Serializable, M extends Network<?>> extends Serializable {
  /** What sets this family apart; the methods below that have no other body are answered from it. */
  ModelFamily<C, M> family();

  /** The {@code model_type} written into {@code config.json}. */
  default String modelType() {
    return family().config().modelType();
  }

  /** {@code model}'s config, as this format's type (a model of the family has a config of the family). */
  @SuppressWarnings("unchecked")
  default C config(M model) {
    return (C) model.config();
  }

  /** The parameters of a model of {@code config}, declared (names, shapes) but not initialised. */
  default Parameters.Builder declare(C config) {
    return family().declare().apply(config);
  }

  /** The model of {@code config} over {@code weights} (declared by {@link #declare}; not copied). */
  default M assemble(C config, Parameters weights) {
    return family().assemble().apply(config, weights);
  }

  /** A model of {@code config} with zero weights, to be overwritten (a replica, a model being loaded). */
  default M build(C config) {
    return assemble(config, declare(config).build());
  }

  /** The source and target vocabulary sizes of {@code config} (equal for a family with one vocabulary). */
  default int[] vocabSizes(C config) {
    return family().vocabSizes().apply(config);
  }

  /**
   * Whether the model emits ids of its target vocabulary that its target tokenizer must turn back into text (a
   * generator). Loading then refuses a target tokenizer smaller than the target vocabulary, which could not decode
   * every id the model may emit; a model that only reads tokens (a classifier) may have a larger vocabulary than its
   * tokenizer.
   */
  default boolean generates() {
    return family().generates();
  }

  /** Writes {@code config.json} for {@code config} to {@code out}, left open. */
  default void writeConfig(C config, OutputStream out) throws IOException {
    family().config().write(config, out);
  }

  /**
   * Reads a {@code config.json} from {@code in} (left open); {@code source} names it in messages. Another
   * {@code model_type}, a missing or malformed field is an {@link IllegalArgumentException} naming it.
   */
  default C readConfig(InputStream in, Object source) throws IOException {
    return family().config().read(in, source);
  }

  /** Writes {@code model.safetensors} of {@code weights} to {@code out} (left open): every parameter under its name. */
  default void writeWeights(C config, Parameters weights, OutputStream out) throws IOException {
    SafeTensors.write(ConfigJson.views(weights), Map.of("format", "pt"), out);
  }

  /**
   * The weights of a model of {@code config} from the {@code model.safetensors} that {@code in} holds
   * ({@code length} bytes, or -1 if unknown; left open): exactly the config's parameter names and shapes, each
   * missing, extra or misshapen tensor a {@link BadInputException} naming it and {@code source}.
   */
  default Parameters readWeights(C config, InputStream in, long length, Object source) throws IOException {
    Parameters p = declare(config).build();
    Map<String, Tensor> into = ConfigJson.views(p);
    try {
      SafeTensors.readInto(in, length, into);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(source + ": " + e.getMessage(), e);
    }
    return p;
  }
}
