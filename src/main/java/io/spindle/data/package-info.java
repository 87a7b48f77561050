/**
 * Text to token ids and token ids to batches.
 *
 * <ul>
 *   <li>Tokenizers learned from text: {@link io.spindle.data.Tokenizer} with {@link io.spindle.data.CharTokenizer}
 *       (one token per Unicode code point), {@link io.spindle.data.WordTokenizer} (words and punctuation by a
 *       regex) and {@link io.spindle.data.BpeTokenizer} (byte-level BPE: merges learned over the UTF-8 bytes of
 *       {@link io.spindle.data.PreTokenizer}'s pre-tokens, also read from and written to Hugging Face's
 *       {@code tokenizer.json}), learned with an immutable {@link io.spindle.data.TokenizerOptions} (specials, min
 *       count, max vocabulary size, lowercase). The specials present ({@link io.spindle.data.Special}: pad, unk, bos,
 *       eos) take the first ids in that order; learned tokens follow, for characters and words most frequent first
 *       with deterministic ties ({@link io.spindle.data.Vocabulary}), for BPE the bytes and then the merges' tokens.
 *       Learning is counting then choosing ({@code count}, {@code fromCounts}), so counts of a corpus's parts,
 *       summed, learn what the whole would (the Spark side counts per partition; for BPE the counts are of
 *       pre-tokens, and the merges are learned from them on the driver). Saved as {@code tokenizer.json} with Jackson
 *       (schema in {@code TokenizerJson}).
 *   <li>Language modelling: {@link io.spindle.data.TokenWindows} draws seeded random (B, T) next-token
 *       {@link io.spindle.data.Batch}es for training and consecutive windows for evaluation;
 *       {@link io.spindle.data.TokenSplit} keeps the last fraction of a stream for validation.
 *   <li>Classification and translation: {@link io.spindle.data.PaddedBatch} (ids, lengths, padding mask) and
 *       {@link io.spindle.data.TranslationBatch} (bos + target in, target + eos out, padding targets set to
 *       {@link io.spindle.data.Batch#IGNORE}).
 *   <li>Corpora: {@link io.spindle.data.Texts} (UTF-8 files, gzip or not, e.g. the Jargon File),
 *       {@link io.spindle.data.Fortunes} ({@code %}-separated fortune files) and {@link io.spindle.data.MoCatalog}
 *       (gettext {@code .mo} catalogues as msgid → msgstr pairs).
 * </ul>
 *
 * <p>Plain Java plus Jackson (which Spark ships, so it is a provided dependency): imports nothing else from Spindle.
 */
package io.spindle.data;
