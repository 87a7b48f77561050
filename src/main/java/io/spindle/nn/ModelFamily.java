package io.spindle.nn;

import io.spindle.autograd.Parameters;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What sets one model family's {@link ModelFormat} apart from the others, from which the format's shared methods
 * work: the {@code config.json} codec (with the {@code model_type}), the parameter layout and the model over
 * weights, the source and target vocabulary sizes, and whether the model generates text.
 *
 * @param config the {@code config.json} codec of the family's config record
 * @param declare the parameters of a model of a config, declared but not initialised
 * @param assemble the model of a config over weights that {@code declare} laid out
 * @param vocabSizes the source and target vocabulary sizes of a config (equal for a family with one vocabulary)
 * @param generates see {@link ModelFormat#generates()}
 * @param <C> the family's config record
 * @param <M> the family's model
 */
public record ModelFamily<C, M>(ConfigCodec<C> config, Function<C, Parameters.Builder> declare,
    BiFunction<C, Parameters, M> assemble, Function<C, int[]> vocabSizes, boolean generates) {}
