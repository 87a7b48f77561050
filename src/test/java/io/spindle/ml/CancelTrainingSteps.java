package io.spindle.ml;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Cancels every training step's job (a {@code DataParallelStep} stage) from the {@code from}-th on, as a lost driver
 * would end them: a fit interrupted mid-run, for the checkpoint and resume tests of every family.
 */
final class CancelTrainingSteps extends SparkListener {
  private final SparkContext context;
  private final int from;
  private int seen;
  volatile int cancelled;

  CancelTrainingSteps(SparkContext context, int from) {
    this.context = context;
    this.from = from;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    boolean step = false;
    for (StageInfo s : CollectionConverters.asJava(start.stageInfos())) {
      step |= s.name().contains("DataParallelStep");
    }
    if (step && ++seen >= from) {
      context.cancelJob(start.jobId());
      cancelled++;
    }
  }
}
