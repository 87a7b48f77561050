/**
 * Text to token ids and token ids to batches: tokenizers learned from text (saved as {@code tokenizer.json}),
 * next-token windows for language modelling, and padded batches with masks for classification and translation.
 *
 * <p>Plain Java: imports nothing else from Spindle.
 */
package io.spindle.data;
