package io.spindle.bench;

import io.spindle.ml.FineTuningExperiment;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The fine-tuning measurements of docs/benchmarks.md ({@code bin/bench finetune [langid|topics|topics-baseline]}): the two-stage
 * recipe of {@link FineTuningExperiment} on the fortunes language-ID task with 10% of the labels, and on the binary
 * topic task (computers vs people) against MLlib's TF-IDF + logistic regression, in {@code local[2]}. Prints one
 * Markdown table row per pipeline.
 */
public final class FineTuneBench {
  private FineTuneBench() {}

  public static void main(String[] args) throws Exception {
    String task = args.length > 0 ? args[0] : "all";
    SparkSession spark = SparkSession.builder().master("local[2]").appName("spindle-fine-tune-bench")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try {
      if (task.equals("all") || task.equals("langid")) {
        System.out.println("## language id, 5 classes, 10% of the training labels");
        print(FineTuningExperiment.run(FineTuningExperiment.languages(spark, 1000, 64, 0.1),
            new FineTuningExperiment.Sizes("char", 0, 2, 4, 64, 64, 1200, 200, 32), "last", "mean"));
      }
      if (task.equals("all") || task.equals("topics")) {
        System.out.println("## topics, computers vs people, every training label");
        print(FineTuningExperiment.run(FineTuningExperiment.topics(spark),
            new FineTuningExperiment.Sizes("bpe", 2000, 2, 4, 64, 64, 800, 300, 32), "last", "mean"));
      }
      if (task.equals("topics-baseline")) {
        print(List.of(FineTuningExperiment.baseline(FineTuningExperiment.topics(spark))));
      }
    } finally {
      spark.stop();
    }
  }

  private static void print(List<FineTuningExperiment.Result> results) {
    System.out.println("| pipeline | accuracy | AUC | fit s |");
    System.out.println("|---|---:|---:|---:|");
    results.forEach(System.out::println);
  }
}
