package io.spindle.spark;

import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;

/** Lets tests of other packages use {@link SparkTrainer}'s failure-injection hook, and count what it caused. */
public final class FailureInjection {
  private FailureInjection() {}

  /** The first attempt of part {@code part}'s task at step {@code step} (0-based) throws. */
  public static void inject(SparkTrainer<?, ?> trainer, long step, int part) {
    trainer.injectFailure(step, part);
  }

  /** Failed task attempts in the jobs of {@code group}, waiting briefly for the listener bus to catch up. */
  public static int failedTasks(JavaSparkContext jsc, String group) throws InterruptedException {
    int failed = 0;
    for (int wait = 0; wait < 50 && failed == 0; wait++) {
      for (int job : jsc.statusTracker().getJobIdsForGroup(group)) {
        SparkJobInfo info = jsc.statusTracker().getJobInfo(job);
        for (int stage : info == null ? new int[0] : info.stageIds()) {
          SparkStageInfo s = jsc.statusTracker().getStageInfo(stage);
          failed += s == null ? 0 : s.numFailedTasks();
        }
      }
      if (failed == 0) {
        Thread.sleep(100);
      }
    }
    return failed;
  }
}
