package io.spindle.ml;

import io.spindle.metrics.Bleu;
import io.spindle.metrics.ChrF;
import io.spindle.metrics.Statistics;
import io.spindle.spark.SparkJobs;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.evaluation.Evaluator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Translation quality of a string column of translations against a string column of references, as an MLlib
 * {@link Evaluator} (larger is better, scores in [0, 100]):
 * <ul>
 *   <li>{@code "chrF"} (default): the character n-gram F-score of Popović 2015 with sacreBLEU's defaults
 *       (n = 1..6, beta 2, whitespace removed), see {@link ChrF};
 *   <li>{@code "bleu"}: corpus BLEU-4 with the brevity penalty, no smoothing, see {@link Bleu}.
 * </ul>
 * Both are corpus scores: the per-sentence statistics are summed over the dataset (one job, summed per partition
 * then on the driver) and scored once. Rows whose reference is null are left out; a null translation counts as
 * the empty string. A dataset with no reference scores 0. The default columns are the translator's: references in
 * {@code "target"} ({@code labelCol}), translations in {@code "translation"} ({@code predictionCol}).
 */
public class TranslationEvaluator extends Evaluator implements HasLabelCol<TranslationEvaluator>,
    HasPredictionCol<TranslationEvaluator>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final DeclaredParams params;

  public TranslationEvaluator(String uid) {
    this.params = new DeclaredParams(this, uid);
    params.createAll();
  }

  /** The translator's columns: references in {@code "target"}, translations in {@code "translation"}. */
  @Override
  public ParamPair<?>[] familyDefaults() {
    return new ParamPair<?>[] {labelCol().w("target"), predictionCol().w("translation")};
  }

  public TranslationEvaluator() {
    this(Identifiable.randomUID("translationEval"));
  }

  @Override
  public DeclaredParams declaredParams() {
    return params;
  }

  /** {@code "chrF"} or {@code "bleu"}. Default {@code "chrF"}. */
  public Param<String> metricName() {
    return params.choiceParam("metricName", "metric: 'chrF' (character n-gram F-score, n = 1..6, beta 2) or 'bleu' "
        + "(corpus BLEU-4)", "chrF", "chrF", "bleu");
  }

  public String getMetricName() {
    return getOrDefault(metricName());
  }

  public TranslationEvaluator setMetricName(String value) {
    set(metricName(), value);
    return this;
  }

  /** The corpus score of {@code dataset}, in [0, 100]. */
  @Override
  public double evaluate(Dataset<?> dataset) {
    String stage = getClass().getSimpleName();
    Schemas.requireString(stage, dataset.schema(), getLabelCol());
    Schemas.requireString(stage, dataset.schema(), getPredictionCol());
    boolean chrF = getMetricName().equals("chrF");
    JavaRDD<Row> rows = dataset.select(dataset.col(getPredictionCol()), dataset.col(getLabelCol()))
        .where(dataset.col(getLabelCol()).isNotNull()).javaRDD();
    int size = chrF ? ChrF.STATISTICS : Bleu.STATISTICS;
    long[] total = SparkJobs.run("scoring translations", () -> rows
        .map(r -> chrF ? ChrF.statistics(r.getString(0), r.getString(1)) : Bleu.statistics(r.getString(0),
            r.getString(1)))
        .fold(new long[size], (a, b) -> Statistics.addInPlace(a.clone(), b)));
    return chrF ? ChrF.score(total) : Bleu.score(total);
  }

  @Override
  public boolean isLargerBetter() {
    return true;
  }

  @Override
  public TranslationEvaluator copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TranslationEvaluator> read() {
    return new DefaultParamsReadable<TranslationEvaluator>() {}.read();
  }

  public static TranslationEvaluator load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "TranslationEvaluator: uid=" + uid() + ", metricName=" + getMetricName();
  }
}
