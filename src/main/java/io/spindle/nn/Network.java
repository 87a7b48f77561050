package io.spindle.nn;

import io.spindle.autograd.Parameters;
import java.io.Serializable;

/**
 * A model of one of Spindle's families ({@link Gpt}, {@link EncoderClassifier}, {@link EncoderDecoder}) as the
 * trainers and the model-folder codec see it: its architecture, and its weights in one flat buffer.
 *
 * @param <C> the family's config record
 */
public interface Network<C extends Serializable> {
  /** The architecture, immutable. */
  C config();

  /** Every trainable weight, in one flat buffer with its gradient twin. */
  Parameters parameters();
}
