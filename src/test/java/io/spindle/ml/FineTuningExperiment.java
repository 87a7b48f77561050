package io.spindle.ml;

import io.spindle.data.Fortunes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The two-stage recipe of docs/mllib.md measured on fortunes, for {@code io.spindle.bench.FineTuneBench} (the sizes
 * docs/benchmarks.md reports): pretrain a {@link TransformerLM} on
 * the training split's text (no labels), fine-tune it on a fraction of the training labels, and compare on the
 * held-out 20% with a classifier of the same architecture and tokenizer trained from scratch on the same labels, the
 * README's encoder pipeline, and MLlib's TF-IDF + logistic regression, all fitted on the same labelled rows.
 */
public final class FineTuningExperiment {
  static final StructType TEXT = new StructType().add("text", DataTypes.StringType).add("label", DataTypes.DoubleType);

  private FineTuningExperiment() {}

  /**
   * Sizes of a run.
   *
   * @param tokenizer the language model's tokenizer mode ({@code "char"}, {@code "bpe"})
   * @param vocab its maximum vocabulary size
   * @param layers, heads, width the GPT's (and the scratch classifiers')
   * @param block the language model's block size, which the classifiers read
   * @param lmSteps language-model steps; {@code steps} classifier steps; both of {@code batch}
   */
  public record Sizes(String tokenizer, int vocab, int layers, int heads, int width, int block, int lmSteps,
      int steps, int batch) {}

  /** One pipeline's held-out scores (AUC NaN for more than two classes) and its fit time (the LM's not included). */
  public record Result(String pipeline, double accuracy, double auc, double seconds) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "| %s | %.3f | %s | %.0f |", pipeline, accuracy,
          Double.isNaN(auc) ? "—" : String.format(Locale.ROOT, "%.3f", auc), seconds);
    }
  }

  /** The held-out split and the rows a run reads. */
  public record Data(Dataset<Row> unlabelled, Dataset<Row> labelled, Dataset<Row> test, int classes) {}

  /**
   * Language identification: {@code perLanguage} fortunes of each of 5 languages, cut to {@code maxChars}; 80/20
   * split; the language model reads the training split's text, the classifiers {@code fraction} of its labels.
   */
  public static Data languages(SparkSession spark, int perLanguage, int maxChars, double fraction)
      throws IOException {
    List<Row> rows = new ArrayList<>();
    for (FortuneLanguages.Entry e : FortuneLanguages.read(perLanguage, maxChars, 17)) {
      rows.add(RowFactory.create(e.text(), (double) e.label()));
    }
    Dataset<Row>[] split = spark.createDataFrame(rows, TEXT).repartition(2).randomSplit(new double[] {0.8, 0.2}, 5);
    Dataset<Row> train = split[0].cache();
    return new Data(train.select("text"), train.sample(false, fraction, 7).cache(), split[1].cache(), 5);
  }

  /**
   * Binary topic classification, the fortune files {@code computers} (1) and {@code people} (0), whole entries;
   * 80/20 split; the classifiers read every training label, and the language model reads every English fortune
   * except the held-out ones (about 15,000 entries of 38 topics).
   */
  public static Data topics(SparkSession spark) throws IOException {
    List<Row> labelled = new ArrayList<>();
    List<Row> english = new ArrayList<>();
    try (var files = Files.list(FortuneLanguages.ROOT)) {
      for (Path f : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.toString().endsWith(".dat") && !p.toString().endsWith(".u8")).sorted().toList()) {
        String name = f.getFileName().toString();
        for (String text : Fortunes.read(f)) {
          english.add(RowFactory.create(text, 0.0));
          if (name.equals("computers") || name.equals("people")) {
            labelled.add(RowFactory.create(text, name.equals("computers") ? 1.0 : 0.0));
          }
        }
      }
    }
    Collections.shuffle(labelled, new Random(11));
    Dataset<Row>[] split = spark.createDataFrame(labelled, TEXT).repartition(2).randomSplit(new double[] {0.8, 0.2},
        5);
    Dataset<Row> test = split[1].cache();
    Dataset<Row> unlabelled = spark.createDataFrame(english, TEXT).select("text").except(test.select("text"))
        .repartition(2).cache();
    return new Data(unlabelled, split[0].cache(), test, 2);
  }

  /**
   * Pretrains the language model, then fits and scores: for each of {@code poolings}, fine-tuned and the same GPT
   * architecture from scratch; then the README's encoder over the language model's tokenizer, and TF-IDF + logistic
   * regression.
   */
  public static List<Result> run(Data data, Sizes s, String... poolings) {
    TransformerLMModel lm = pretrain(data, s);
    List<Result> results = new ArrayList<>();
    for (String pooling : poolings) {
      results.add(score("fine-tuned GPT, " + pooling + " pooling", data, lm.tokenizerModel("text", "ids"),
          fineTuned(lm, s, pooling)));
      results.add(score("same GPT from scratch, " + pooling + " pooling", data, lm.tokenizerModel("text", "ids"),
          scratch(s, pooling)));
    }
    results.add(score("encoder from scratch (README's), mean pooling", data, lm.tokenizerModel("text", "ids"),
        classifier(s).setNumLayers(s.layers()).setNumHeads(s.heads()).setModelDim(s.width())
            .setMaxSeqLength(s.block())));
    results.add(baseline(data));
    return results;
  }

  /** The language model of {@code s}, pretrained on the unlabelled text (step size 3e-3, 10% warm-up). */
  public static TransformerLMModel pretrain(Data data, Sizes s) {
    long start = System.nanoTime();
    TransformerLMModel lm = new TransformerLM().setTokenizerMode(s.tokenizer()).setMaxVocabSize(s.vocab())
        .setNumLayers(s.layers()).setNumHeads(s.heads()).setModelDim(s.width()).setBlockSize(s.block())
        .setMaxIter(s.lmSteps()).setBatchSize(s.batch()).setStepSize(3e-3).setWarmupSteps(s.lmSteps() / 10)
        .setValidationFraction(0.02).setSeed(3).fit(data.unlabelled());
    System.out.printf(Locale.ROOT, "language model: %d steps in %.0f s, validation loss %.3f%n", s.lmSteps(),
        (System.nanoTime() - start) / 1e9, lm.summary().finalValidationLoss());
    return lm;
  }

  /** A classifier that starts from {@code lm}: a new head at step size 3e-3, the backbone at 1e-3. */
  public static TransformerClassifier fineTuned(TransformerLMModel lm, Sizes s, String pooling) {
    return classifier(s).setInitialModel(lm).setPooling(pooling).setBackboneStepSize(1e-3);
  }

  /** The fine-tuned classifier's architecture, initialised at random (step size 3e-3 throughout). */
  public static TransformerClassifier scratch(Sizes s, String pooling) {
    return classifier(s).setBackbone("gpt").setPooling(pooling).setNumLayers(s.layers()).setNumHeads(s.heads())
        .setModelDim(s.width()).setMaxSeqLength(s.block());
  }

  /** MLlib's bag-of-words baseline on the same rows: RegexTokenizer, HashingTF, IDF, LogisticRegression. */
  public static Result baseline(Data data) {
    return score("TF-IDF + logistic regression", data, new RegexTokenizer().setInputCol("text")
        .setOutputCol("words").setPattern("[^\\p{L}\\p{N}]+"), new HashingTF().setInputCol("words")
        .setOutputCol("tf").setNumFeatures(1 << 18), new IDF().setInputCol("tf").setOutputCol("features"),
        new LogisticRegression().setMaxIter(100));
  }

  private static TransformerClassifier classifier(Sizes s) {
    return new TransformerClassifier().setMaxIter(s.steps()).setBatchSize(s.batch()).setStepSize(3e-3)
        .setWarmupSteps(s.steps() / 10).setDropout(0.1).setSeed(1);
  }

  /** Fits {@code stages} on the labelled rows and scores them on the held-out ones; prints the row. */
  public static Result score(String name, Data data, PipelineStage... stages) {
    long start = System.nanoTime();
    PipelineModel model = new Pipeline().setStages(stages).fit(data.labelled());
    double seconds = (System.nanoTime() - start) / 1e9;
    Dataset<Row> predictions = model.transform(data.test()).cache();
    double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(predictions);
    double auc = data.classes() == 2 ? new BinaryClassificationEvaluator().setMetricName("areaUnderROC")
        .evaluate(predictions) : Double.NaN;
    predictions.unpersist();
    Result r = new Result(name, accuracy, auc, seconds);
    System.out.println(r);
    return r;
  }
}
