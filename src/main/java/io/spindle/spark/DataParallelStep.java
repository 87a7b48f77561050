package io.spindle.spark;

import io.spindle.autograd.Parameters;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of one data-parallel step of the {@link SparkTrainer}: broadcast the flat weights (a view of the
 * model's buffer, {@link WeightsBroadcast}, which must not change until the broadcast is destroyed),
 * {@code treeAggregate} the tasks' {@link GradientSum}s over the cached partitions, destroy the broadcast (also when
 * the job fails; that also removes the step's stored gradients, {@link GradientBlock}), and put the summed gradient
 * into the model's gradient buffer. If a stored gradient was lost with its executor before the driver read it, the
 * job runs once more: the tasks' gradients are a pure function of the weights, the step and the data.
 *
 * <p>The task is built from the broadcast handle alone plus whatever small serialisable values its factory closes
 * over, so the closure Spark ships never holds a SparkContext, a trainer or the driver's model.
 */
final class DataParallelStep {
  private static final Logger LOG = LoggerFactory.getLogger(DataParallelStep.class);
  private static final Function2<GradientSum, GradientSum, GradientSum> MERGE = GradientSum::mergeInPlace;
  /**
   * A test seam, null outside tests: called with the weights broadcast's id after each run of a step's job and before
   * the driver reads the gradients, so a test can take stored gradients away as a lost executor would.
   */
  static volatile LongConsumer afterJobForTests;

  private DataParallelStep() {}

  /**
   * Runs one step's job over {@code data} with the current values of {@code parameters} and copies the summed
   * gradient into {@code parameters.grads()} (zeros if no task contributed one); returns the sum.
   */
  static <T> GradientSum run(String what, JavaRDD<T> data, Parameters parameters, int depth, GradientSum zero,
      Function<Broadcast<FlatWeights>, Function2<GradientSum, T, GradientSum>> task) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.context());
    try (WeightsBroadcast weights = WeightsBroadcast.of(jsc, parameters.values())) { // a view: no copy
      Function2<GradientSum, T, GradientSum> sequence = task.apply(weights.handle());
      Supplier<GradientSum> job = () -> {
        GradientSum sum = SparkJobs.run(what, () -> data.treeAggregate(zero, sequence, MERGE, depth));
        LongConsumer hook = afterJobForTests;
        if (hook != null) {
          hook.accept(weights.handle().id());
        }
        return sum;
      };
      GradientSum sum = job.get();
      boolean summed;
      try {
        summed = sum.sumInto(parameters.grads());
      } catch (GradientBlock.Lost e) { // an executor left after its task; the gradient is a pure function: redo
        LOG.warn("{}: {}; running the step's job again", what, e.getMessage());
        sum = job.get();
        summed = sum.sumInto(parameters.grads());
      }
      if (!summed) {
        parameters.zeroGrad();
      }
      return sum;
    }
  }
}
