package io.spindle.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Records the jobs and tasks Spark runs (a {@link SparkListener}) and takes each training step apart along the
 * step's timeline, all in driver wall-clock milliseconds (in local mode executors share the driver's clock):
 * <pre>
 *   step start, broadcast, job start, scheduling, first task launch, task start + compute (the longest task),
 *   last end of compute, aggregation, job end, driver step, step end
 * </pre>
 * <ul>
 *   <li><b>compute</b>: the longest {@code executorRunTime} of the step's tasks (the task function: forward and
 *       backward over the task's windows, reading the broadcast weights, building its gradient sum);</li>
 *   <li><b>on cpu</b>: the tasks' {@code executorCpuTime} over their {@code executorRunTime}: how much of its run a
 *       task thread had a core;</li>
 *   <li><b>broadcast</b>: step start to job start: broadcasting the weights (a view of the model's buffer), and
 *       {@code treeAggregate}'s preparation (cleaning the closures, building the RDDs);</li>
 *   <li><b>scheduling</b>: job start to the first task's launch (stage submission, task serialization);</li>
 *   <li><b>task start</b>: the rest of the span from the first launch to the last task's end of compute (launch
 *       skew, task deserialization);</li>
 *   <li><b>aggregation</b>: the last end of compute to job end (result serialization, transfer and deserialization,
 *       merging the gradient sums on the driver);</li>
 *   <li><b>driver step</b>: job end to step end (gradient copy, broadcast destroy, scaling, clipping, AdamW).</li>
 * </ul>
 * So a step's wall time is compute plus the five others exactly (up to the millisecond clock), and its
 * <em>Spark overhead</em> is wall time minus compute. The listener bus is asynchronous: call
 * {@link #awaitJobs()} before reading a run's events.
 */
final class SparkStepEvents extends SparkListener {
  /**
   * One successful task: driver launch time, executor times (ms), the task thread's CPU time in its run (ms) and the
   * size of its serialized result.
   */
  private record Task(long launch, long deserialize, long run, double cpu, long resultBytes) {}

  private static final class Job {
    final long start;
    long end = -1;
    final List<Task> tasks = new ArrayList<>();

    Job(long start) {
      this.start = start;
    }
  }

  /**
   * A step taken apart (milliseconds, bytes); see the class comment.
   *
   * @param onCpu the tasks' CPU time over their run time, summed over the step's tasks: below 1 when a task thread
   *     waited for a core (on 2 cores: for the JIT compiler, the collector or the driver's own threads)
   * @param resultBytes the serialized task results (the gradients on the wire), summed over the step's tasks
   */
  record Breakdown(double wall, double compute, double onCpu, double broadcast, double scheduling, double taskStart,
      double aggregation, double driverStep, long resultBytes) {
    /** Wall time minus compute. */
    double overhead() {
      return wall - compute;
    }
  }

  private final Map<Integer, Job> jobs = new LinkedHashMap<>();
  private final Map<Integer, Integer> stageJobs = new HashMap<>();

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    jobs.put(start.jobId(), new Job(start.time()));
    for (Object stage : CollectionConverters.asJava(start.stageIds())) {
      stageJobs.put((Integer) stage, start.jobId());
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    TaskInfo info = end.taskInfo();
    TaskMetrics metrics = end.taskMetrics();
    Integer jobId = stageJobs.get(end.stageId());
    if (jobId == null || info == null || metrics == null || !info.successful()) {
      return;
    }
    jobs.get(jobId).tasks.add(new Task(info.launchTime(), metrics.executorDeserializeTime(),
        metrics.executorRunTime(), metrics.executorCpuTime() / 1e6, metrics.resultSize()));
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    Job job = jobs.get(end.jobId());
    if (job != null) {
      job.end = end.time();
    }
  }

  /** Forgets every job recorded so far. */
  synchronized void clear() {
    jobs.clear();
    stageJobs.clear();
  }

  /** Waits (up to 30 s) until every job that started has ended, as the listener bus delivers events late. */
  void awaitJobs() {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      synchronized (this) {
        if (jobs.values().stream().allMatch(j -> j.end >= 0)) {
          return;
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Spark's listener bus", e);
      }
    }
    throw new IllegalStateException("Spark's listener bus did not report the end of every job within 30 s");
  }

  /**
   * The breakdown of the step that ran from {@code lap.startMillis()} to {@code lap.endMillis()}, or null unless
   * exactly one job, with at least one successful task, started and ended within it.
   */
  synchronized Breakdown breakdown(StepClock.Lap lap) {
    Job job = null;
    for (Job j : jobs.values()) {
      if (j.start >= lap.startMillis() && j.start <= lap.endMillis()) {
        if (job != null) {
          return null;
        }
        job = j;
      }
    }
    if (job == null || job.end < 0 || job.end > lap.endMillis() || job.tasks.isEmpty()) {
      return null;
    }
    long firstLaunch = Long.MAX_VALUE;
    long lastComputeEnd = Long.MIN_VALUE;
    long compute = 0;
    long bytes = 0;
    long run = 0;
    double cpu = 0;
    for (Task t : job.tasks) {
      run += t.run();
      cpu += t.cpu();
      firstLaunch = Math.min(firstLaunch, t.launch());
      lastComputeEnd = Math.max(lastComputeEnd, t.launch() + t.deserialize() + t.run());
      compute = Math.max(compute, t.run());
      bytes += t.resultBytes();
    }
    return new Breakdown(lap.endMillis() - lap.startMillis(), compute, run == 0 ? 1 : cpu / run,
        job.start - lap.startMillis(),
        firstLaunch - job.start, lastComputeEnd - firstLaunch - compute, job.end - lastComputeEnd,
        lap.endMillis() - job.end, bytes);
  }
}
