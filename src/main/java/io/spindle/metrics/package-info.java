/**
 * Quality metrics of generated text against references, computed from per-sentence statistics that add up, so a
 * corpus score is one pass over the sentences (or one {@code treeAggregate} over a Spark dataset) followed by one
 * call on the summed statistics.
 *
 * <ul>
 *   <li>{@link io.spindle.metrics.ChrF}: the character n-gram F-score of Popović (2015) with sacreBLEU's defaults
 *       (n = 1..6, beta = 2, whitespace removed).
 *   <li>{@link io.spindle.metrics.Bleu}: corpus BLEU-4 with the brevity penalty (Papineni et al. 2002).
 * </ul>
 *
 * <p>Plain Java: imports only {@code io.spindle.data} (the word rule that splits BLEU's tokens).
 */
package io.spindle.metrics;
